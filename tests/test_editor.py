"""The editor workspace: files and their state, check, preview, publish, history, revert, uploads, conflicts."""

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from saring.content.rules import MAX_FILE_BYTES
from saring.editing.models import ContentLive, ContentRevision
from saring.extensions import db
from saring.quizzes import QuizAttempt
from tests.conftest import PASSWORD, hidden_fields

LESSON = "lessons/alpha/01-first.en.md"
QUIZ = "quizzes/alpha.en.md"


@pytest.fixture
def editor(client, login_as, sample_copy, use_content):
    """An editor signed in (in English), on a copy of the good sample content."""
    use_content(sample_copy)
    login_as("editor", username="editor", lang="en")
    return client


def base_of(page: str) -> str:
    """The live revision id an editor's form started from."""
    return re.search(r'name="base" type="hidden" value="(\d*)"', page)[1]


def edit(client, path, text, action="publish", base=None, message=""):
    """Open a file in the editor, then send `text` with one of its buttons."""
    if base is None:
        base = base_of(client.get(f"/en/editor/files/{path}").text)
    return client.post(f"/en/editor/files/{path}", data={"text": text, "message": message, "base": base,
                                                         action: "1"})


def answered(form: str) -> dict:
    """The quiz form with the first option of every question chosen."""
    chosen = {}
    for name, value in re.findall(r'name="(q\d+)" value="(\w)"', form):
        chosen.setdefault(name, value)
    return {**hidden_fields(form), **chosen}


def revisions(app, path=None):
    with app.app_context():
        query = sa.select(ContentRevision).order_by(ContentRevision.id)
        if path:
            query = query.where(ContentRevision.path == path)
        return [(r.path, r.text, r.published_at is not None) for r in db.session.scalars(query)]


def upload(client, name, data, module=""):
    return client.post("/en/editor/upload", data={"module": module, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_overview_shows_each_file_in_each_language(editor):
    page = editor.get("/en/editor/")
    assert page.status_code == 200
    assert "Alpha module" in page.text
    assert f'href="/en/editor/files/{LESSON}"' in page.text
    assert f'href="/en/editor/files/{QUIZ}"' in page.text
    assert "The file in git" in page.text
    assert "no-store" in page.headers["Cache-Control"]


def test_a_missing_language_says_what_learners_read_and_starts_from_the_other(editor, sample_copy):
    (sample_copy / LESSON).unlink()
    with editor.application.app_context():
        editor.application.extensions["saring.content"].refresh()
    page = editor.get("/en/editor/").text
    assert "missing: write it" in page and "(learners read the Bahasa Indonesia text)" in page
    new = editor.get(f"/en/editor/files/{LESSON}").text
    assert "It starts as a copy of the other language" in new
    assert "Paragraf pembuka" in new or "title:" in new


def test_publishing_a_typo_fix_reaches_learners_at_once_and_keeps_the_file(editor, sample_copy):
    text = (sample_copy / LESSON).read_text()
    fixed = text.replace("Opening paragraph", "Opening paragraph, fixed")
    answer = edit(editor, LESSON, fixed, message="Typo")
    assert answer.status_code == 302
    assert "Published. Learners see it now." in editor.get(answer.headers["Location"]).text
    assert "Opening paragraph, fixed" in editor.get("/en/modules/alpha/first").text
    assert (sample_copy / LESSON).read_text() == text
    history = editor.get(f"/en/editor/history/{LESSON}").text
    assert "Typo" in history and "live" in history


def test_check_shows_each_problem_next_to_its_line_and_saves_nothing(editor, app, sample_copy):
    text = (sample_copy / LESSON).read_text().replace("minutes: 4", "minutes: four")
    page = edit(editor, LESSON, text, action="check")
    assert page.status_code == 200
    assert "Line 4" in page.text and "minutes: four" in page.text
    assert "&#39;minutes&#39; must be a whole number" in page.text
    assert revisions(app) == []


def test_a_draft_with_errors_is_saved_but_not_published(editor, app, sample_copy):
    broken = (sample_copy / LESSON).read_text().replace("title: First lesson\n", "")
    page = edit(editor, LESSON, broken)
    assert page.status_code == 400
    assert "Saved as a draft, not published" in page.text and "missing field &#39;title&#39;" in page.text
    assert revisions(app) == [(LESSON, broken, False)]
    assert "First lesson" in editor.get("/en/modules/alpha/first").text
    assert "Draft:" in editor.get("/en/editor/").text


def test_unknown_front_matter_is_a_warning_in_the_check(editor, sample_copy):
    text = (sample_copy / LESSON).read_text().replace("minutes: 4", "minutes: 4\nauthor: Ani")
    page = edit(editor, LESSON, text, action="check")
    assert "Warning: unknown field &#39;author&#39;" in page.text


def test_a_lesson_preview_is_the_learners_page_with_the_draft_framed_by_this_site_only(editor, app, sample_copy):
    text = (sample_copy / LESSON).read_text().replace("Opening paragraph", "Draft opening")
    answer = edit(editor, LESSON, text, action="preview")
    assert answer.status_code == 302
    revision = editor.get(answer.headers["Location"])
    assert '<iframe class="phone"' in revision.text
    revision_id = answer.headers["Location"].rsplit("/", 1)[1]
    preview = editor.get(f"/en/editor/revisions/{revision_id}/preview")
    assert preview.status_code == 200
    assert "Draft opening" in preview.text
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    indonesian = editor.get(f"/id/editor/revisions/{revision_id}/preview").text  # its own text, the draft beside
    assert "Paragraf pembuka" in indonesian and 'lang="id"' in indonesian
    assert "Draft opening" not in editor.get("/en/modules/alpha/first").text


def test_a_quiz_preview_shows_the_editor_the_answers_but_the_quiz_page_none(editor, sample_copy):
    text = (sample_copy / QUIZ).read_text().replace("This message arrives.", "This message just arrived.")
    answer = edit(editor, QUIZ, text, action="preview")
    revision = editor.get(answer.headers["Location"]).text
    assert "Answers and explanations (only editors see this)" in revision
    assert "Right: news this big is always announced officially." in revision
    preview = editor.get(answer.headers["Location"] + "/preview").text
    assert "This message just arrived." in preview
    assert "announced officially" not in preview and "✓" not in preview


def test_a_second_editor_publishing_the_same_file_sees_a_conflict_and_loses_nothing(editor, app, sample_copy,
                                                                                    create_user):
    text = (sample_copy / LESSON).read_text()
    other = app.test_client()
    create_user("editor2", role="editor", locale="en")
    other.post("/en/login", data={"username": "editor2", "password": PASSWORD})
    base = base_of(other.get(f"/en/editor/files/{LESSON}").text)
    assert edit(editor, LESSON, text.replace("Opening", "First editor's")).status_code == 302
    clash = edit(other, LESSON, text.replace("Opening", "Second editor's"), base=base)
    assert clash.status_code == 409
    assert "Another editor published this file while you were editing it" in clash.text
    assert "First editor&#39;s" in clash.text and "Second editor&#39;s" in clash.text
    assert [published for _, _, published in revisions(app)] == [True, False]
    assert "First editor's" in editor.get("/en/modules/alpha/first").text
    again = other.post(f"/en/editor/files/{LESSON}", data={"text": text.replace("Opening", "Merged"),
                                                          "base": base_of(clash.text), "publish": "1"})
    assert again.status_code == 302
    assert "Merged" in editor.get("/en/modules/alpha/first").text


def test_revert_publishes_an_earlier_text_and_the_file_can_come_back(editor, app, sample_copy):
    text = (sample_copy / LESSON).read_text()
    edit(editor, LESSON, text.replace("Opening", "One"))
    edit(editor, LESSON, text.replace("Opening", "Two"))
    with app.app_context():
        first = db.session.scalar(sa.select(sa.func.min(ContentRevision.id)))
    assert editor.post(f"/en/editor/revisions/{first}/revert").status_code == 302
    assert "One paragraph" in editor.get("/en/modules/alpha/first").text
    diff = editor.get(f"/en/editor/revisions/{first + 2}").text
    assert 'class="diff-del">-Two paragraph' in diff and 'class="diff-add">+One paragraph' in diff
    assert editor.post(f"/en/editor/history/{LESSON}/file").status_code == 302
    assert "Opening paragraph" in editor.get("/en/modules/alpha/first").text
    assert "Back to the file in git" in editor.get(f"/en/editor/history/{LESSON}").text


def test_uploading_a_new_lesson_with_a_front_matter_error_then_fixing_it(editor, app, sample_copy):
    lesson = (sample_copy / LESSON).read_text().replace("First lesson", "Third lesson")
    answer = upload(editor, "03-third.en.md", lesson.replace("minutes: 4", "minutes: many").encode(), module="alpha")
    assert answer.status_code == 302
    page = editor.get(answer.headers["Location"]).text
    assert "lessons/alpha/03-third.en.md" in page and "Line 4" in page
    assert "&#39;minutes&#39; must be a whole number" in page
    assert editor.get("/en/modules/alpha/third").status_code == 404
    fixed = edit(editor, "lessons/alpha/03-third.en.md", lesson)
    assert fixed.status_code == 302, re.findall(r'class="error">(.*)<', fixed.text)
    assert "Third lesson" in editor.get("/en/modules/alpha/third").text


@pytest.mark.parametrize(("name", "data", "message"), [
    ("03-third.en.md", "title: Caf\xe9\n".encode("cp1252"), "03-third.en.md:1: not UTF-8 text"),
    ("03-third.en.md", b"x" * (MAX_FILE_BYTES + 1), "more than the 204,800 (200 KB) a content file may have"),
    ("notes.txt", b"hello", "Upload a .md file or a .zip file."),
    ("lesson.md", b"---\n---\n", "lesson.md is not a content file name"),
])
def test_a_bad_upload_gets_a_clear_message_and_saves_nothing(editor, app, name, data, message):
    answer = upload(editor, name, data, module="alpha")
    assert answer.headers["Location"] == "/en/editor/"
    assert message in editor.get("/en/editor/").text
    assert revisions(app) == []


def zipped(files: dict[str, str]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return data.getvalue()


@pytest.mark.parametrize("outside", ["beta/../../app.py", "/beta/01-x.en.md", "beta/sub/01-x.en.md",
                                     "beta/notes.txt"])
def test_a_zip_with_paths_outside_its_module_saves_nothing(editor, app, sample_copy, outside):
    files = {"beta/module.yml": (sample_copy / "lessons/alpha/module.yml").read_text(), outside: "x"}
    answer = upload(editor, "beta.zip", zipped(files))
    assert answer.headers["Location"] == "/en/editor/"
    page = editor.get("/en/editor/").text
    assert "Nothing was saved" in page or "one module folder" in page
    assert revisions(app) == []


def test_a_module_uploaded_as_a_zip_is_checked_together_and_published_together(editor, app, sample_copy):
    alpha = sample_copy / "lessons/alpha"
    files = {"beta/module.yml": (alpha / "module.yml").read_text().replace("order: 1", "order: 2")
             .replace("Alpha module", "Beta module")}
    for lang in ("id", "en"):
        lesson = (alpha / f"01-first.{lang}.md").read_text()
        files[f"beta/01-one.{lang}.md"] = re.sub(r"!?\[([^]]*)\]\([^)]*\)", r"\1", lesson)  # no image, no link
        files[f"beta/beta.{lang}.md"] = (sample_copy / f"quizzes/alpha.{lang}.md").read_text()
    answer = upload(editor, "beta.zip", zipped(files))
    assert answer.status_code == 302 and "/en/editor/drafts?ids=" in answer.headers["Location"]
    page = editor.get(answer.headers["Location"])
    assert "quizzes/beta.en.md" in page.text and "Publish these 5 files" in page.text, page.text
    assert editor.get("/en/modules/beta").status_code == 404
    ids = answer.headers["Location"].split("ids=")[1]
    assert editor.post("/en/editor/drafts", data={"ids": ids}).status_code == 302
    assert "Beta module" in editor.get("/en/modules/beta").text
    assert editor.get("/en/modules/beta/quiz").status_code == 200
    status = app.test_cli_runner().invoke(args=["content", "status"])
    assert "lessons/beta/module.yml: revision" in status.output and "new file" in status.output


def test_a_learner_mid_quiz_whose_quiz_changed_is_asked_to_answer_again(editor, app, sample_copy, create_user):
    learner = app.test_client()
    create_user("murid", locale="en")
    learner.post("/en/login", data={"username": "murid", "password": PASSWORD})
    form = learner.get("/en/modules/alpha/quiz").text
    text = (sample_copy / QUIZ).read_text().replace("Forward it.", "Forward it to everyone.")
    assert edit(editor, QUIZ, text).status_code == 302
    answer = learner.post("/en/modules/alpha/quiz", data=answered(form))
    assert answer.status_code == 400
    assert "This quiz was changed after you opened it" in answer.text
    assert "Forward it to everyone." in answer.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_changing_options_learners_answered_says_their_scores_stay(editor, app, sample_copy, create_user):
    learner = app.test_client()
    create_user("murid", locale="en")
    learner.post("/en/login", data={"username": "murid", "password": PASSWORD})
    form = learner.get("/en/modules/alpha/quiz").text
    assert learner.post("/en/modules/alpha/quiz", data=answered(form)).status_code == 302
    text = (sample_copy / QUIZ).read_text().replace("Forward it.", "Forward it to everyone.")
    page = edit(editor, QUIZ, text, action="check").text
    assert "Learners have answered the earlier text of these questions" in page
    assert "pesan-atm: 1 answer" in page


def test_a_publish_reaches_a_second_instance_sharing_the_database(editor, app, sample_copy, database_url):
    from tests.conftest import make_app
    second = make_app(database_url, CONTENT_POLL_SECONDS=0, CONTENT_LESSONS_DIR=str(sample_copy / "lessons"),
                      CONTENT_QUIZZES_DIR=str(sample_copy / "quizzes"))
    visitor = second.test_client()
    assert "Opening paragraph" in visitor.get("/en/modules/alpha/first").text
    text = (sample_copy / LESSON).read_text().replace("Opening paragraph", "Published elsewhere")
    assert edit(editor, LESSON, text).status_code == 302
    assert "Published elsewhere" in visitor.get("/en/modules/alpha/first").text
    with second.app_context():
        db.engine.dispose()


def test_export_writes_the_live_content_as_files(editor, app, sample_copy, tmp_path_factory):
    text = (sample_copy / LESSON).read_text().replace("Opening", "Exported")
    edit(editor, LESSON, text)
    folder = tmp_path_factory.mktemp("export")
    result = app.test_cli_runner().invoke(args=["content", "export", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / LESSON).read_text() == text
    assert (folder / "lessons/alpha/images/pic.svg").exists() and (folder / QUIZ).exists()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentLive)) == 1


def test_invisible_control_characters_are_refused_with_their_line(editor, app, sample_copy):
    text = (sample_copy / LESSON).read_text().replace("Opening paragraph", "Opening\u202e paragraph")
    page = edit(editor, LESSON, text, action="save")
    assert page.status_code == 400
    assert "Line 10 holds an invisible control character" in page.text
    assert revisions(app) == []


def test_lessons_are_served_while_the_published_version_cannot_be_read(app, client, caplog):
    store = app.extensions["saring.content"]
    store.poll_seconds = 0

    def unreachable():
        raise ConnectionError("the database does not answer")

    store.published.version = unreachable
    store._next_poll = 0
    page = client.get("/en/modules/hoaks/jenis-misinformasi")
    assert page.status_code == 200 and "<h1>" in page.text
    assert "content: cannot read the published version" in caplog.text


def test_a_result_taken_before_the_quiz_changed_says_so_and_keeps_its_score(editor, app, sample_copy,
                                                                           create_user):
    learner = app.test_client()
    create_user("murid", locale="en")
    learner.post("/en/login", data={"username": "murid", "password": PASSWORD})
    form = learner.get("/en/modules/alpha/quiz").text
    result = learner.post("/en/modules/alpha/quiz", data=answered(form)).headers["Location"]
    before = learner.get(result).text
    assert "This quiz has been changed since you took it" not in before
    score = re.search(r"\d+ of \d+ questions right\.", before)[0]
    text = (sample_copy / QUIZ).read_text().replace("Forward it.", "Forward it to everyone.")
    assert edit(editor, QUIZ, text).status_code == 302
    page = learner.get(result).text
    assert "This quiz has been changed since you took it" in page
    assert score in page


def test_the_item_report_page_shows_each_questions_first_try_figures(editor, app, create_user):
    learner = app.test_client()
    create_user("murid", locale="en")
    learner.post("/en/login", data={"username": "murid", "password": PASSWORD})
    learner.post("/en/modules/alpha/quiz", data=answered(learner.get("/en/modules/alpha/quiz").text))
    page = editor.get("/en/editor/items")
    assert page.status_code == 200
    assert "Item report" in page.text and "1 learner took the quiz." in page.text
    assert "Question 1: pesan-atm" in page.text and "1 first attempt" in page.text
    assert "0% right on the first try" in page.text  # its first option, "Forward it.", is wrong
    assert "Most chosen wrong option (1 learner):" in page.text and "Forward it." in page.text
    assert editor.get("/id/editor/items").status_code == 200


def test_the_discernment_checks_forms_are_edited_previewed_and_published_like_lessons(editor, app, sample_copy):
    from tests.test_checks import balanced
    (sample_copy / "checks").mkdir()
    for form_id in "ab":
        for lang in ("id", "en"):
            (sample_copy / "checks" / f"{form_id}.{lang}.md").write_text(balanced(form_id), encoding="utf-8")
    with app.app_context():
        app.extensions["saring.content"].refresh()
    assert "Discernment check" in editor.get("/en/editor/").text
    path = "checks/a.en.md"
    text = (sample_copy / path).read_text().replace("Pesan a 0.", "Pesan a 0, edited.")
    answer = edit(editor, path, text, action="preview")
    revision = editor.get(answer.headers["Location"]).text
    assert "Truths and explanations (only editors see this)" in revision and "Why it is false." in revision
    preview = editor.get(answer.headers["Location"] + "/preview").text
    assert "Pesan a 0, edited." in preview and "Why it is" not in preview
    assert edit(editor, path, text).status_code == 302
    with app.app_context():
        assert "edited" in app.extensions["saring.content"].library.check_form("a").texts["en"].items[0].body_html


def test_learning_paths_are_listed_edited_previewed_published_and_uploaded(editor, app, sample_copy):
    from tests.test_paths import PATH
    (sample_copy / "paths").mkdir()
    for lang, title in (("id", "Jalur singkat"), ("en", "A short path")):
        (sample_copy / "paths" / f"dewasa.{lang}.md").write_text(PATH.format(title=title), encoding="utf-8")
    with app.app_context():
        app.extensions["saring.content"].refresh()
    overview = editor.get("/en/editor/").text
    assert "Learning paths" in overview and 'href="/en/editor/files/paths/dewasa.en.md"' in overview
    path = "paths/dewasa.en.md"
    text = (sample_copy / path).read_text().replace("A short path", "A short path for parents")
    wrong = edit(editor, path, text.replace("alpha/first", "alpha/third"), action="check")
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", wrong.text))
    assert "Line 6: - alpha/thirdError: the path lists &#39;alpha/third&#39;, which is not a lesson" in shown
    answer = edit(editor, path, text, action="preview")
    preview = editor.get(answer.headers["Location"] + "/preview")
    assert preview.status_code == 200 and "A short path for parents" in preview.text
    assert "Second lesson" in preview.text
    assert "A short path for parents" not in editor.get("/en/paths/dewasa").text  # a draft until published
    assert edit(editor, path, text).status_code == 302
    assert "A short path for parents" in editor.get("/en/paths/dewasa").text
    new = PATH.format(title="Untuk guru").encode()
    assert upload(editor, "guru.id.md", new, module="/paths").status_code == 302
    assert revisions(app, "paths/guru.id.md")[-1][1] == new.decode()
    assert upload(editor, "dewasa.id.md", new).headers["Location"].startswith(
        "/en/editor/files/paths/dewasa.id.md")  # named like a path that exists
