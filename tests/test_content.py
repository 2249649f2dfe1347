"""The content loader on small sample trees: structure, rendering, every kind of broken file."""

import pytest

from saring.content import get_library, load_library
from saring.extensions import db
from tests.conftest import SAMPLES, make_app

GOOD = SAMPLES / "good"
BROKEN = SAMPLES / "broken"

# Every problem in tests/content/broken, as `flask content check` prints it.
BROKEN_PROBLEMS = [
    "lessons/pilar/module.yml:2: 'pillars' must list one or more of cakap, etika, aman, budaya",
    "lessons/pilar/module.yml:4: 'title' needs text for each language: id, en",
    "lessons/rusak/01-yaml.id.md:4: invalid YAML: did not find expected ',' or ']'",
    "lessons/rusak/02-kurang.id.md:1: missing field 'summary'",
    "lessons/rusak/02-kurang.id.md:3: 'minutes' must be a whole number",
    "lessons/rusak/03-sendiri.id.md:1: lesson 'sendiri' has no English version (en); "
    "readers see the other language",
    "lessons/rusak/04-tautan.en.md:9: link 'page.html' is neither a web address nor a lesson file (NN-id.md)",
    "lessons/rusak/04-tautan.en.md:9: link to a lesson that does not exist: ../tidak-ada/01-x.md",
    "lessons/rusak/04-tautan.id.md:9: link to a lesson that does not exist: 09-tidak-ada.md",
    "lessons/rusak/04-tautan.id.md:11: image file not found: images/hilang.svg",
    "lessons/rusak/04-tautan.id.md:13: unknown callout or card 'rahasia'; use one of tip, warning, note, "
    "action, whatsapp, sms, post, headline, donation, email, web",
    "lessons/rusak/06-kembar.id.md:1: duplicate lesson id 'kembar' in this module",
    "lessons/rusak/catatan.md:1: not a lesson file name: use NN-lesson-id.id.md or NN-lesson-id.en.md",
    "lessons/tanpa-modul/module.yml:1: missing module.yml",
    "quizzes/Kuis.md:1: not a quiz file name: use module-id.id.md or module-id.en.md",
    "quizzes/hantu.id.md:1: no module 'hantu' in lessons/ for this quiz",
    "quizzes/rusak.en.md:3: pass_mark must be a whole number from 1 to 100",
    "quizzes/rusak.en.md:11: warning: option has no explanation (indented lines under it)",
    "quizzes/rusak.en.md:15: question 'beda-kunci' differs from quizzes/rusak.id.md in type, options or answers",
    "quizzes/rusak.id.md:3: pass_mark must be a whole number from 1 to 100",
    "quizzes/rusak.id.md:6: question 'tanpa-kunci' has no correct option (mark one with - [x])",
    "quizzes/rusak.id.md:16: question 'kembar' is missing from quizzes/rusak.en.md",
    "quizzes/rusak.id.md:26: duplicate question id 'kembar'",
    "quizzes/rusak.id.md:37: type 'essay' must be one of single, multiple, truefalse",
    "quizzes/rusak.id.md:44: missing a 'type:' line (single, multiple or truefalse) under the question id",
    "quizzes/rusak.id.md:59: text after an option must be its explanation, indented by four spaces",
    "quizzes/rusak.id.md:63: question 'benar-salah-tiga' is truefalse and needs exactly two options",
    "quizzes/rusak.id.md:80: warning: option has no explanation (indented lines under it)",
    "quizzes/rusak.id.md:84: question 'hanya-id' is missing from quizzes/rusak.en.md",
]


def load(tree):
    return load_library(tree / "lessons", tree / "quizzes")


@pytest.fixture(scope="module")
def good():
    return load(GOOD)


@pytest.fixture(scope="module")
def broken():
    return load(BROKEN)


def test_good_tree_has_no_problems(good):
    assert good.problems == ()
    [module] = good.modules
    assert module.id == "alpha"
    assert module.pillars == ("cakap",)
    assert module.title("id") == "Modul Alfa" and module.title("en") == "Alpha module"
    assert [lesson.id for lesson in module.lessons] == ["first", "second"]
    first = module.lessons[0]
    assert first.texts["id"].title == "Pelajaran pertama"
    assert first.texts["id"].sources[0].url == "https://example.org/sumber"
    assert first.texts["en"].sources[0].year == 2021
    assert module.neighbours(first) == (None, module.lessons[1])


def test_lesson_links_become_addresses_in_the_same_language(good):
    first = good.modules[0].lessons[0]
    assert 'href="/id/modules/alpha/second#akhir"' in first.texts["id"].html
    assert 'href="/en/modules/alpha/second"' in first.texts["en"].html


def test_images_are_served_from_the_module_with_their_size(good):
    html = good.modules[0].lessons[0].texts["id"].html
    assert 'src="/media/alpha/images/pic.svg"' in html
    assert 'width="120"' in html and 'height="60"' in html and 'alt="Gambar contoh"' in html
    assert good.media["alpha/images/pic.svg"].endswith("images/pic.svg")


def test_callouts_and_cards(good):
    id_html = good.modules[0].lessons[0].texts["id"].html
    assert '<div class="callout callout-tip" role="note">' in id_html
    assert '<p class="callout-title">Ingat</p>' in id_html
    assert '<figure class="card card-whatsapp">' in id_html
    assert '<figcaption class="card-from">Grup Keluarga</figcaption>' in id_html
    assert 'class="callout callout-action"' in good.modules[0].lessons[0].texts["en"].html


def test_links_inside_cards_are_never_clickable(good):
    html = good.modules[0].lessons[0].texts["id"].html
    assert "penipu.example" not in html
    assert '<span class="card-link">hadiah</span>' in html


def test_raw_html_is_sanitised(sample_copy):
    lesson = sample_copy / "lessons/alpha/01-first.id.md"
    lesson.write_text(lesson.read_text() + '\n<script>alert("x")</script>\n<p onclick="alert(1)">Teks aman</p>\n')
    html = load(sample_copy).modules[0].lessons[0].texts["id"].html
    assert "<script" not in html and "alert" not in html and "onclick" not in html
    assert "<p>Teks aman</p>" in html


def test_tables_render_without_inline_styles(good):
    html = good.modules[0].lessons[0].texts["id"].html
    assert "<table>" in html and "style=" not in html


def test_words_are_counted(good):
    assert good.modules[0].lessons[1].texts["en"].words == 306


def test_every_problem_in_the_broken_tree_is_reported_with_file_and_line(broken):
    assert [str(problem) for problem in broken.problems] == BROKEN_PROBLEMS


def test_broken_files_are_skipped_and_the_rest_is_served(broken):
    module = broken.module("rusak")
    yaml_lesson = module.lesson("yaml")
    assert set(yaml_lesson.texts) == {"en"}
    text, fallback = yaml_lesson.text("id")
    assert fallback and text.title == "Broken YAML"
    assert set(module.lesson("kurang").texts) == {"en"}
    assert module.lesson("kembar").texts["id"].title == "Kembar"
    assert broken.module("tanpa-modul") is None


def test_broken_questions_are_skipped_and_good_ones_kept(broken):
    quiz = broken.module("rusak").quiz
    assert [q.id for q in quiz.texts["id"].questions] == ["kembar", "tanpa-penjelasan", "hanya-id", "beda-kunci"]
    assert quiz.texts["id"].pass_mark == 70


def test_front_matter_is_required(sample_copy):
    (sample_copy / "lessons/alpha/02-second.en.md").write_text("Just text, no front matter.\n")
    (sample_copy / "lessons/alpha/02-second.id.md").write_text("---\ntitle: x\n")
    problems = [str(p) for p in load(sample_copy).problems]
    assert "lessons/alpha/02-second.en.md:1: must start with front matter: a line ---, key: value lines, " \
           "and another line ---" in problems
    assert "lessons/alpha/02-second.id.md:1: front matter is not closed by a line ---" in problems


def test_non_utf8_file_is_reported_at_its_line_with_what_to_do(sample_copy):
    """A file saved in Windows-1252 ("café" as one byte): the line of the first byte that is not UTF-8, and how
    to save it so."""
    (sample_copy / "lessons/alpha/02-second.en.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    assert "lessons/alpha/02-second.en.md:2: not UTF-8 text (invalid continuation byte): save the file with " \
           "the encoding UTF-8 (in most editors: Save as, then Encoding: UTF-8)" in [
        str(p) for p in load(sample_copy).problems]


def test_windows_line_endings_and_bom_are_accepted(sample_copy):
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_bytes(b"\xef\xbb\xbf" + lesson.read_bytes().replace(b"\n", b"\r\n"))
    library = load(sample_copy)
    assert library.problems == ()
    assert library.modules[0].lessons[1].texts["en"].title == "Second lesson"


@pytest.mark.parametrize("tree, code", [(GOOD, 0), (BROKEN, 1)])
def test_content_check_command(app, use_content, tree, code):
    use_content(tree)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == code
    if code:
        assert "lessons/rusak/01-yaml.id.md:4: invalid YAML" in result.output
        assert result.output.strip().endswith("2 modules, 5 lessons, 1 quizzes: 27 errors, 2 warnings")
    else:
        assert result.output.strip() == "1 modules, 2 lessons, 1 quizzes: 0 errors, 0 warnings"


def test_strict_check_fails_on_warnings(app, sample_copy, use_content):
    quiz = sample_copy / "quizzes/alpha.en.md"
    quiz.write_text(quiz.read_text().replace("    Not a sign of a hoax by itself.\n", ""))
    use_content(sample_copy)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "check"]).exit_code == 0
    strict = runner.invoke(args=["content", "check", "--strict"])
    assert strict.exit_code == 1
    assert "quizzes/alpha.en.md:33: warning: option has no explanation" in strict.output


@pytest.mark.parametrize("reload", [True, False])
def test_content_reloads_on_change_only_in_development(app, sample_copy, use_content, reload):
    app.config["CONTENT_RELOAD"] = reload
    use_content(sample_copy)
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    with app.app_context():
        first = get_library()
        assert get_library() is first  # nothing changed: nothing is read again
        lesson.write_text(lesson.read_text().replace("title: Second lesson", "title: Second lesson, edited"))
        title = get_library().module("alpha").lessons[1].texts["en"].title
    assert title == ("Second lesson, edited" if reload else "Second lesson")


def problems_of(tree):
    return [str(p) for p in load(tree).problems]


def test_files_no_one_foresaw_are_reported_not_raised(sample_copy):
    lessons = sample_copy / "lessons"
    (lessons / "alpha/03-folder.en.md").mkdir()
    (lessons / "alpha/04-link.en.md").symlink_to(lessons / "alpha/nowhere.md")
    nested = "".join("    " * depth + "- x\n" for depth in range(300))
    (lessons / "alpha/05-deep.en.md").write_text(
        "---\ntitle: t\nsummary: s\nminutes: 1\nsources: [{title: s, year: 2020}]\n---\n\n" + nested)
    (lessons / "gamma").mkdir()
    (lessons / "gamma/module.yml").mkdir()
    (lessons / "delta").mkdir()
    (lessons / "delta/module.yml").write_text("pillars: [[cakap], {a: 1}]\n")
    problems = problems_of(sample_copy)
    assert "lessons/alpha/03-folder.en.md:1: cannot be read: Is a directory" in problems
    assert "lessons/alpha/04-link.en.md:1: cannot be read: No such file or directory" in problems
    assert any(p.startswith("lessons/alpha/05-deep.en.md:7: cannot be rendered: RecursionError") for p in problems)
    assert "lessons/gamma/module.yml:1: cannot be read: Is a directory" in problems
    assert "lessons/delta/module.yml:1: 'pillars' must list one or more of cakap, etika, aman, budaya" in problems


def test_a_module_without_titles_is_shown_under_its_id(app, client, sample_copy, use_content):
    (sample_copy / "lessons/alpha/module.yml").write_text("order: 1\n")
    use_content(sample_copy)
    for path in ("/id/", "/id/modules", "/en/modules/alpha", "/en/modules/alpha/first"):
        assert client.get(path).status_code == 200, path
    assert "<h1>alpha</h1>" in client.get("/en/modules/alpha").text


def test_ids_longer_than_the_database_holds_are_refused(sample_copy):
    long_id = "x" * 65
    (sample_copy / f"lessons/alpha/03-{long_id}.en.md").write_text("---\ntitle: t\n---\n")
    quiz = sample_copy / "quizzes/alpha.en.md"
    quiz.write_text(quiz.read_text().replace("## kabar-resmi", f"## {long_id}"))
    problems = problems_of(sample_copy)
    assert f"lessons/alpha/03-{long_id}.en.md:1: a lesson id has at most 64 characters" in problems
    assert f"quizzes/alpha.en.md:36: question id '{long_id}' must be lowercase letters, digits and hyphens, " \
           "at most 64" in problems


@pytest.mark.parametrize("src, message", [
    ("../../../../etc/passwd", "must be an .svg, .png, .jpg, .webp or .gif file in the module's images/ folder"),
    ("/etc/passwd", "must be an .svg, .png, .jpg, .webp or .gif file in the module's images/ folder"),
    ("01-first.en.md", "must be an .svg, .png, .jpg, .webp or .gif file in the module's images/ folder"),
    ("images/../../beta/images/x.svg", "must be an .svg, .png, .jpg, .webp or .gif file in the module's images/"),
    ("images/hilang.svg", "image file not found: images/hilang.svg"),
])
def test_images_come_only_from_the_module_images_folder(sample_copy, src, message):
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_text(lesson.read_text() + f"\n![A picture]({src})\n")
    library = load(sample_copy)
    assert any(message in p for p in problems_of(sample_copy)), problems_of(sample_copy)
    assert not any(not path.endswith("images/pic.svg") for path in library.media.values())


def test_an_image_linked_out_of_the_images_folder_is_refused(sample_copy):
    (sample_copy / "lessons/alpha/images/escape.svg").symlink_to(sample_copy / "lessons/alpha/module.yml")
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_text(lesson.read_text() + "\n![A picture](images/escape.svg)\n")
    assert "lessons/alpha/02-second.en.md:38: image file not found: images/escape.svg" in problems_of(sample_copy)


def test_raw_html_cannot_bring_unchecked_images_or_links(sample_copy):
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_text(lesson.read_text() + '\n<img src="https://tracker.example/p.gif" alt="x">'
                      '<img src="/media/alpha/module.yml" alt="y">'
                      '<a href="notalesson.html">a</a> <a href="https://example.org/">b</a>'
                      '<a href="//evil.example/x">c</a> <a href="/\\evil.example/">d</a> <a href="/id/logout">e</a>\n')
    html = load(sample_copy).modules[0].lessons[1].texts["en"].html
    assert "tracker.example" not in html and "notalesson" not in html and "module.yml" not in html
    assert "evil.example" not in html and "logout" not in html
    assert 'href="https://example.org/"' in html


def test_a_level_one_heading_is_reported_on_its_own_line(sample_copy):
    lesson = sample_copy / "lessons/alpha/01-first.en.md"
    lesson.write_text(lesson.read_text() + "\n# Too big\n")
    assert "lessons/alpha/01-first.en.md:44: warning: use ## and smaller headings; the title is the only # heading" \
        in problems_of(sample_copy)


def test_a_quiz_without_usable_questions_is_not_offered(app, client, sample_copy, use_content):
    for lang in ("id", "en"):
        (sample_copy / f"quizzes/alpha.{lang}.md").write_text("---\ntitle: Kosong\n---\n\n## q1\n")
    use_content(sample_copy)
    assert client.get("/id/modules/alpha/quiz").status_code == 404
    assert "/quiz" not in client.get("/id/modules/alpha").text


def test_a_dangling_link_does_not_stop_the_app_starting(database_url, sample_copy):
    (sample_copy / "lessons/alpha/06-gone.en.md").symlink_to(sample_copy / "nowhere")
    for reload in (False, True):
        app = make_app(database_url, CONTENT_RELOAD=reload, CONTENT_LESSONS_DIR=str(sample_copy / "lessons"),
                       CONTENT_QUIZZES_DIR=str(sample_copy / "quizzes"))
        assert app.test_client().get("/id/modules/alpha").status_code == 200
        with app.app_context():
            db.engine.dispose()


def test_the_running_app_logs_every_problem(app, use_content, caplog):
    use_content(BROKEN)
    logged = [record.getMessage() for record in caplog.records if record.name == app.logger.name]
    assert "content: lessons/rusak/01-yaml.id.md:4: invalid YAML: did not find expected ',' or ']'" in logged
    assert len(logged) == len(BROKEN_PROBLEMS)


@pytest.mark.parametrize("file", ["lessons/alpha/01-first.en.md", "lessons/alpha/module.yml", "quizzes/alpha.en.md"])
@pytest.mark.parametrize("depth, message", [
    (1_200, "must be text"),  # nested, but parsed: the field is simply not text
    (12_000, "front matter is longer than 20,000 characters"),  # refused before parsing (libyaml could crash)
])
def test_front_matter_nested_deeply_is_reported(sample_copy, file, depth, message):
    path = sample_copy / file
    path.write_text(path.read_text().replace("title:", f"title: {'[' * depth}{']' * depth}\nold_title:", 1))
    found = [p for p in problems_of(sample_copy) if p.startswith(file)]
    assert found and (message in found[0] or "needs text for each language" in found[0]), found


def test_an_images_folder_linked_out_of_the_module_is_refused(sample_copy, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.svg").write_text("<svg/>")
    images = sample_copy / "lessons/alpha/images"
    for file in images.iterdir():
        file.unlink()
    images.rmdir()
    images.symlink_to(outside)
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_text(lesson.read_text() + "\n![A picture](images/x.svg)\n")
    assert "lessons/alpha/02-second.en.md:38: image file not found: images/x.svg" in problems_of(sample_copy)


def test_apps_built_from_the_same_unchanged_files_share_the_loaded_content(database_url, sample_copy):
    settings = {"CONTENT_LESSONS_DIR": str(sample_copy / "lessons"),
                "CONTENT_QUIZZES_DIR": str(sample_copy / "quizzes")}
    libraries = []
    for change in (False, False, True):
        if change:
            lesson = sample_copy / "lessons/alpha/02-second.en.md"
            lesson.write_text(lesson.read_text().replace("Second lesson body.", "Changed body."))
        app = make_app(database_url, **settings)
        with app.app_context():
            libraries.append(get_library())
            db.engine.dispose()
    assert libraries[0] is libraries[1]
    assert libraries[2] is not libraries[1]
    assert "Changed body." in libraries[2].modules[0].lessons[1].texts["en"].html
