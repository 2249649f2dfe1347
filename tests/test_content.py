"""The content loader on small sample trees: structure, rendering, every kind of broken file, every rule."""

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from saring.config import PROJECT_ROOT
from saring.content import get_library, load_library, rules
from saring.extensions import db
from tests.conftest import SAMPLES, make_app

GOOD = SAMPLES / "good"
BROKEN = SAMPLES / "broken"

# Every problem in tests/content/broken, as `flask content check` prints it.
BROKEN_PROBLEMS = [
    "lessons/pilar/module.yml:1: warning: the module has no quiz: add quizzes/pilar.id.md and quizzes/pilar.en.md",
    "lessons/pilar/module.yml:2: 'pillars' must list one or more of cakap, etika, aman, budaya",
    "lessons/pilar/module.yml:4: 'title' needs text for each language: id, en",
    "lessons/rusak/01-yaml.en.md:4: warning: 'minutes' is 3; a lesson takes 4 to 8 minutes",
    "lessons/rusak/01-yaml.en.md:4: warning: the lesson takes 1 minute to read (1 word at 150 a minute); give "
    "it at least 3",
    "lessons/rusak/01-yaml.en.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/01-yaml.id.md:4: invalid YAML: did not find expected ',' or ']'",
    "lessons/rusak/02-kurang.en.md:4: warning: the lesson takes 1 minute to read (1 word at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/02-kurang.en.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/02-kurang.id.md:1: missing field 'summary'",
    "lessons/rusak/02-kurang.id.md:3: 'minutes' must be a whole number",
    "lessons/rusak/03-sendiri.id.md:1: warning: lesson 'sendiri' has no English version (en); "
    "readers see the other language",
    "lessons/rusak/03-sendiri.id.md:4: warning: 'minutes' is 2; a lesson takes 4 to 8 minutes",
    "lessons/rusak/03-sendiri.id.md:4: warning: the lesson takes 1 minute to read (7 words at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/03-sendiri.id.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/04-tautan.en.md:4: warning: 'minutes' is 2; a lesson takes 4 to 8 minutes",
    "lessons/rusak/04-tautan.en.md:4: warning: the lesson takes 1 minute to read (4 words at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/04-tautan.en.md:9: link 'page.html' is neither a web address nor a lesson file (NN-id.md)",
    "lessons/rusak/04-tautan.en.md:9: link to a lesson that does not exist: ../tidak-ada/01-x.md",
    "lessons/rusak/04-tautan.en.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/04-tautan.id.md:4: warning: 'minutes' is 2; a lesson takes 4 to 8 minutes",
    "lessons/rusak/04-tautan.id.md:4: warning: the lesson takes 1 minute to read (6 words at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/04-tautan.id.md:9: link to a lesson that does not exist: 09-tidak-ada.md",
    "lessons/rusak/04-tautan.id.md:11: image file not found: images/hilang.svg",
    "lessons/rusak/04-tautan.id.md:13: unknown callout or card 'rahasia'; use one of tip, warning, note, "
    "action, whatsapp, sms, post, headline, donation, email, web",
    "lessons/rusak/04-tautan.id.md:14: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/05-kembar.en.md:4: warning: 'minutes' is 2; a lesson takes 4 to 8 minutes",
    "lessons/rusak/05-kembar.en.md:4: warning: the lesson takes 1 minute to read (1 word at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/05-kembar.en.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/05-kembar.id.md:4: warning: 'minutes' is 2; a lesson takes 4 to 8 minutes",
    "lessons/rusak/05-kembar.id.md:4: warning: the lesson takes 1 minute to read (1 word at 150 a minute); "
    "give it at least 3",
    "lessons/rusak/05-kembar.id.md:9: warning: the lesson does not end with an action callout (!!! action): "
    "close it with one thing to do now",
    "lessons/rusak/06-kembar.id.md:1: duplicate lesson id 'kembar' in this module",
    "lessons/rusak/catatan.md:1: not a lesson file name: use NN-lesson-id.id.md or NN-lesson-id.en.md",
    "lessons/tanpa-modul/module.yml:1: missing module.yml",
    "quizzes/Kuis.md:1: not a quiz file name: use module-id.id.md or module-id.en.md",
    "quizzes/hantu.id.md:1: no module 'hantu' in lessons/ for this quiz",
    "quizzes/rusak.en.md:1: warning: 0 of the quiz's 2 questions are scenarios (a card in the body); at least "
    "1 should be",
    "quizzes/rusak.en.md:1: warning: 0 of the quiz's 2 questions are tagged genuine; at least 1 should be, so "
    "learners practise trusting what is true",
    "quizzes/rusak.en.md:1: warning: the quiz has 2 questions; give it 8 to 12",
    "quizzes/rusak.en.md:3: pass_mark must be a whole number from 1 to 100",
    "quizzes/rusak.en.md:11: warning: option has no explanation (indented lines under it)",
    "quizzes/rusak.en.md:15: question 'beda-kunci' differs from quizzes/rusak.id.md in type, options or answers",
    "quizzes/rusak.id.md:1: warning: 0 of the quiz's 4 questions are scenarios (a card in the body); at least "
    "2 should be",
    "quizzes/rusak.id.md:1: warning: 0 of the quiz's 4 questions are tagged genuine; at least 2 should be, so "
    "learners practise trusting what is true",
    "quizzes/rusak.id.md:1: warning: the quiz has 4 questions; give it 8 to 12",
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
        assert result.output.strip().endswith("2 modules, 5 lessons, 1 quizzes: 26 errors, 30 warnings")
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


def saring_process(args, tmp_path, **environ):
    """Run `args` in the project as a deployment would, on the broken sample, with its own database and cache."""
    env = {key: value for key, value in os.environ.items() if key not in ("SARING_ENV", "SECRET_KEY")}
    env.update(CONTENT_LESSONS_DIR=str(BROKEN / "lessons"), CONTENT_QUIZZES_DIR=str(BROKEN / "quizzes"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'saring.sqlite3'}", CONTENT_CACHE_FILE=str(tmp_path / "cache.json"),
               **environ)
    return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_content_check_on_the_command_line_prints_each_problem_once(tmp_path):
    result = saring_process([Path(sys.executable).parent / "flask", "--app", "app", "content", "check"], tmp_path)
    assert result.returncode == 1, result.stderr
    printed = result.stdout + result.stderr
    for problem in BROKEN_PROBLEMS:
        assert printed.count(problem) == 1, problem
    assert result.stdout.splitlines() == [*BROKEN_PROBLEMS, "2 modules, 5 lessons, 1 quizzes: 26 errors, 30 warnings"]


def test_a_served_app_logs_each_problem_once_as_json(tmp_path):
    result = saring_process([sys.executable, "-c", "import app"], tmp_path, SECRET_KEY="a served app's key")
    assert result.returncode == 0, result.stderr
    logged = [json.loads(line)["message"] for line in result.stderr.splitlines() if '"content: ' in line]
    assert logged == [f"content: {problem}" for problem in BROKEN_PROBLEMS]


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


# --- the rule book (saring/content/rules.py): each rule broken alone in a copy of the good sample -----------------

SECOND = "lessons/alpha/02-second.en.md"
ACTION = '\n!!! action "Do it today"\n    Search for the account behind the next surprising post you see.\n'


def edit(file, old, new):
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new))


def test_the_good_sample_keeps_every_rule(good):
    assert good.problems == ()


@pytest.mark.parametrize("old, new, problem", [
    ("minutes: 4", "minutes: 12", ":4: warning: 'minutes' is 12; a lesson takes 4 to 8 minutes"),
    ("minutes: 4", "minutes: 3", ":4: warning: 'minutes' is 3; a lesson takes 4 to 8 minutes"),
    ("Second lesson body.", "Second lesson body." + " word." * 1200,
     ":4: warning: the lesson takes 11 minutes to read (1,506 words at 150 a minute); keep it within 8"),
    (ACTION, ACTION.replace("action", "tip"), ":36: warning: the lesson does not end with an action callout "
                                              "(!!! action): close it with one thing to do now"),
    (ACTION, ACTION + "\nOne more paragraph.\n", ":38: warning: the lesson does not end with an action callout "
                                                  "(!!! action): close it with one thing to do now"),
    ("Second lesson body.\n", 'Second lesson body.\n\n!!! action "First"\n    Do this.\n',
     ":11: warning: the lesson has 2 action callouts; keep one, at the end"),
])
def test_a_lesson_outside_the_rules_is_warned_at_its_line(sample_copy, old, new, problem):
    edit(sample_copy / SECOND, old, new)
    assert problems_of(sample_copy) == [SECOND + problem]


def test_a_lesson_too_short_to_teach_is_warned(sample_copy):
    lesson = sample_copy / SECOND
    lesson.write_text(lesson.read_text().split("Second lesson body.")[0] + "Too short." + ACTION)
    assert problems_of(sample_copy) == [
        f"{SECOND}:4: warning: the lesson takes 1 minute to read (16 words at 150 a minute); give it at least 3"]


def both_quizzes(tree, old, new):
    for lang in ("id", "en"):
        edit(tree / f"quizzes/alpha.{lang}.md", old, new)


def test_a_quiz_with_too_few_questions_is_warned(sample_copy):
    for lang in ("id", "en"):
        quiz = sample_copy / f"quizzes/alpha.{lang}.md"
        quiz.write_text(quiz.read_text().split("\n## judul-heboh")[0])
    assert problems_of(sample_copy) == ["quizzes/alpha.en.md:1: warning: the quiz has 7 questions; give it 8 to 12",
                                        "quizzes/alpha.id.md:1: warning: the quiz has 7 questions; give it 8 to 12"]


def test_a_quiz_with_too_many_questions_is_warned(sample_copy):
    for lang in ("id", "en"):
        quiz = sample_copy / f"quizzes/alpha.{lang}.md"
        last = "## judul-heboh" + quiz.read_text().split("## judul-heboh")[1]
        quiz.write_text(quiz.read_text() + "".join("\n" + last.replace("judul-heboh", f"judul-{n}") for n in range(5)))
    assert problems_of(sample_copy) == [  # the copies are not genuine, so a third of 13 is no longer either
        problem for lang in ("en", "id") for problem in (
            f"quizzes/alpha.{lang}.md:1: warning: 3 of the quiz's 13 questions are tagged genuine; at least 5 should "
            "be, so learners practise trusting what is true",
            f"quizzes/alpha.{lang}.md:1: warning: the quiz has 13 questions; give it 8 to 12")]


def test_a_quiz_with_too_few_scenarios_is_warned(sample_copy):
    for card in ("sms", "donation"):  # a note is a callout, not a card: the question is no longer a scenario
        both_quizzes(sample_copy, f"!!! {card} ", "!!! note ")
    assert problems_of(sample_copy) == [
        f"quizzes/alpha.{lang}.md:1: warning: 3 of the quiz's 8 questions are scenarios (a card in the body); "
        "at least 4 should be" for lang in ("en", "id")]


def test_a_quiz_with_too_few_genuine_questions_is_warned(sample_copy):
    """A third of the questions: a learner who doubts every message must not pass."""
    both_quizzes(sample_copy, "tags: genuine, disaster-info", "tags: disaster-info")
    assert rules.required(rules.GENUINE_QUESTIONS, 8) == 3 and rules.required(rules.GENUINE_QUESTIONS, 9) == 3
    assert problems_of(sample_copy) == [
        f"quizzes/alpha.{lang}.md:1: warning: 2 of the quiz's 8 questions are tagged genuine; at least 3 should be, "
        "so learners practise trusting what is true" for lang in ("en", "id")]


def test_the_genuine_rule_can_ask_for_a_count_of_questions(sample_copy, monkeypatch):
    monkeypatch.setattr(rules, "GENUINE_QUESTIONS", 4)
    assert rules.required(4, 8) == 4 and rules.required(Fraction(1, 3), 10) == 4
    assert problems_of(sample_copy) == [
        f"quizzes/alpha.{lang}.md:1: warning: 3 of the quiz's 8 questions are tagged genuine; at least 4 should be, "
        "so learners practise trusting what is true" for lang in ("en", "id")]


GIVEAWAY = ("warning: question 'info-cuaca' is tagged genuine, but its text says {label!r}: a label that tells "
            "learners the message was checked or is trustworthy gives the answer away; let them judge the message")


@pytest.mark.parametrize("lang, old, new, label", [
    ("id", "Unggahan ini menyebut sumbernya", "Unggahan ini sudah dicek dan menyebut sumbernya", "sudah dicek"),
    ("id", '!!! post "@infoBMKG"', '!!! post "BMKG (Akun Resmi)"', "Akun Resmi"),  # in a card's title
    ("id", "Hujan lebat diperkirakan", "✔️ Terverifikasi · Hujan lebat diperkirakan", "Terverifikasi"),
    ("en", "This post names its source", "This post comes from a **verified**\naccount, names its source", "verified"),
    ("en", '!!! post "@infoBMKG"', '!!! post "BMKG (official account)"', "official account"),
    ("en", "This post names its source", "You have already checked it. This post names its source",
     "already checked"),
])
def test_a_genuine_question_labelled_as_checked_or_trustworthy_is_warned_at_its_line(sample_copy, lang, old, new,
                                                                                     label):
    """The label gives the answer away: in the body or a card, in any case, across markup and line breaks."""
    edit(sample_copy / f"quizzes/alpha.{lang}.md", old, new)
    assert problems_of(sample_copy) == [f"quizzes/alpha.{lang}.md:63: " + GIVEAWAY.format(label=label)]


def test_only_genuine_questions_and_whole_words_are_held_to_the_labels(sample_copy):
    """A false message may call itself official (that is how impersonation works); "unverified" is not "verified"."""
    edit(sample_copy / "quizzes/alpha.en.md", "This post names its source",
         "This unverified-looking post names its source")
    edit(sample_copy / "quizzes/alpha.en.md", "This message arrives.", "This message from a verified account arrives.")
    for lang in ("id", "en"):
        edit(sample_copy / f"quizzes/alpha.{lang}.md", '!!! whatsapp "', '!!! whatsapp "(akun resmi) ')
    assert problems_of(sample_copy) == []


def test_a_question_that_shows_a_card_in_one_language_only_is_warned(sample_copy):
    edit(sample_copy / "quizzes/alpha.en.md", "!!! sms ", "!!! note ")
    assert problems_of(sample_copy) == ["quizzes/alpha.en.md:47: warning: question 'sms-paket' shows a card in "
                                        "quizzes/alpha.id.md but not in quizzes/alpha.en.md"]


def test_questions_in_another_order_in_one_language_are_warned(sample_copy):
    quiz = sample_copy / "quizzes/alpha.en.md"
    head, last = quiz.read_text().split("\n## judul-heboh")
    before, moved = head.split("\n## langkah-cek")
    quiz.write_text(f"{before}\n## judul-heboh{last}\n## langkah-cek{moved}")
    assert problems_of(sample_copy) == ["quizzes/alpha.en.md:93: warning: question 'judul-heboh' stands elsewhere in "
                                        "quizzes/alpha.id.md; keep the questions in the same order"]


def test_a_module_without_a_quiz_is_warned(sample_copy):
    for lang in ("id", "en"):
        (sample_copy / f"quizzes/alpha.{lang}.md").unlink()
    assert problems_of(sample_copy) == ["lessons/alpha/module.yml:1: warning: the module has no quiz: add "
                                        "quizzes/alpha.id.md and quizzes/alpha.en.md"]


@pytest.mark.parametrize("size", [rules.MAX_FILE_BYTES + 1, 12 * 1024 * 1024])
def test_a_file_over_the_size_limit_is_an_error_and_is_never_served(sample_copy, size):
    lesson = sample_copy / SECOND
    text = lesson.read_text()
    lesson.write_text(text + "x" * (size - len(text.encode())))
    library = load(sample_copy)
    assert [str(p) for p in library.problems] == [
        f"{SECOND}:1: the file has {size:,} bytes, more than the 204,800 (200 KB) a content file may have; it is left "
        "out until it is smaller"]
    assert set(library.module("alpha").lesson("second").texts) == {"id"}  # readers see the Indonesian text


def test_a_quiz_over_the_size_limit_is_left_out(sample_copy):
    quiz = sample_copy / "quizzes/alpha.en.md"
    quiz.write_text(quiz.read_text() + "\n" + " " * rules.MAX_FILE_BYTES)
    library = load(sample_copy)
    assert [str(p) for p in library.problems] == [
        f"quizzes/alpha.en.md:1: the file has {quiz.stat().st_size:,} bytes, more than the 204,800 (200 KB) a content "
        "file may have; it is left out until it is smaller",
        "quizzes/alpha.id.md:1: warning: this quiz has no en version; readers see this language"]
    assert set(library.module("alpha").quiz.texts) == {"id"}


@pytest.mark.parametrize("change, check, strict", [
    (lambda tree: edit(tree / SECOND, "minutes: 4", "minutes: 12"), 0, 1),
    (lambda tree: edit(tree / SECOND, "Second lesson body.", " " * rules.MAX_FILE_BYTES), 1, 1),
], ids=["a rule broken is a warning", "a file too big is an error"])
def test_rules_warn_and_unusable_files_fail_the_check(app, sample_copy, use_content, change, check, strict):
    change(sample_copy)
    use_content(sample_copy)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "check"]).exit_code == check
    assert runner.invoke(args=["content", "check", "--strict"]).exit_code == strict


def test_html_the_sanitiser_removes_is_warned_at_its_line(sample_copy):
    edit(sample_copy / SECOND, "Second lesson body.\n", 'Second lesson body.\n\n<iframe src="https://evil.example/">'
         '</iframe>\n<p onclick="alert(1)">Safe text</p>\n')
    edit(sample_copy / "quizzes/alpha.en.md", "    Not a sign of a hoax by itself.",
         "    Not a sign of a hoax <script>alert(1)</script> by itself.")
    library = load(sample_copy)
    assert [str(p) for p in library.problems] == [
        f"{SECOND}:11: warning: <iframe> is not allowed and was removed",
        f"{SECOND}:12: warning: the onclick attribute of <p> is not allowed and was removed",
        "quizzes/alpha.en.md:34: warning: <script> is not allowed and was removed",
    ]
    html = library.module("alpha").lessons[1].texts["en"].html
    assert "<iframe" not in html and "onclick" not in html and "<p>Safe text</p>" in html


def test_raw_html_with_an_address_saring_cannot_check_is_warned(sample_copy):
    edit(sample_copy / SECOND, "Second lesson body.", 'Second lesson body, <a href="javascript:alert(1)">raw</a>.')
    assert problems_of(sample_copy) == [f"{SECOND}:9: warning: the address in <a href> is not one Saring can check "
                                        "and was removed; write links and images in Markdown"]


def test_markup_shown_as_code_is_not_warned(sample_copy):
    edit(sample_copy / SECOND, "Second lesson body.", "Second lesson body: `<script>`.\n\n```\n<iframe>\n```")
    assert problems_of(sample_copy) == []


@pytest.mark.parametrize("new, line", [
    ("In 2024, 45% of users were unsure.\n", None),
    ("About 45% of users were unsure.\n", 9),
    ("Reports fell by Rp 2 billion.\n", 9),
    ("It reached 221.6 million users.\n", 9),
    ("In a 2022 survey, people said:\n\n- **45%** were unsure;\n- **12%** had shared a hoax.\n", None),
    ("People said:\n\n- **45%** were unsure (2022);\n- **12%** had shared a hoax.\n", 12),
    ("In 2022, 45% were unsure.\n\nThe real share may be higher than 45%.\n", 11),
    ("The message said \"grades drop by 50%\", with no study named.\n", None),
    ('!!! sms "Bank"\n    Your prize of Rp 5.000.000 waits: reply now.\n\nNever answer it.\n', None),
    ("![A poster: pay 1,100 USD a month, 1,204 likes](images/pic.svg)\n", None),
    ("A bonus of Rp 50.000 cannot be taken out.\n", None),
    ("For example, you borrow Rp 1 million but get 700,000.\n", None),
    ("Players deposited about Rp 293 billion.\n\n![A poster](images/pic.svg)\n", 9),
])
def test_a_figure_needs_its_year_in_its_paragraph(sample_copy, new, line):
    edit(sample_copy / SECOND, "Second lesson body.\n", new)
    assert problems_of(sample_copy) == ([] if line is None else [
        f"{SECOND}:{line}: warning: a figure without its year: write the year in the same paragraph (or in the "
        "sentence leading into the list), so a reader can tell when it ages"])


def test_long_sentences_are_warned_with_their_average(sample_copy):
    long = "This sentence keeps going with one more clause and then another one that nobody needed at all. "
    edit(sample_copy / SECOND, "Second lesson body.\n", long * 20 + "\n")
    [problem] = problems_of(sample_copy)
    assert problem.startswith(SECOND + ":8: warning: the lesson's sentences average ")
    assert problem.endswith("words; keep the average within 15 (`flask content report` lists the longest)")


def test_an_option_explained_at_length_is_warned_at_its_explanation(sample_copy):
    long = "Right: " + "news this big is always announced officially " * 4 + "by the bank."
    edit(sample_copy / "quizzes/alpha.en.md", "Right: news this big is always announced officially.", long)
    assert problems_of(sample_copy) == [
        "quizzes/alpha.en.md:19: warning: the explanation of option b in 'pesan-atm' has 32 words; keep it within "
        "25, short enough to read on a phone and to hear read aloud"]


def test_an_image_over_the_weight_limit_is_warned(sample_copy):
    picture = sample_copy / "lessons/alpha/images/pic.svg"
    picture.write_text(picture.read_text().replace("</svg>", "<!--" + "x" * rules.MAX_IMAGE_BYTES + "--></svg>"))
    assert problems_of(sample_copy) == [
        f"lessons/alpha/01-first.{lang}.md:{line}: warning: image 'images/pic.svg' has 16 KB; keep an image within "
        "15 KB, so the page stays light on a phone" for lang, line in (("en", 14), ("id", 19))]


HALF = 2 * rules.COLUMN_PX  # a viewBox this wide is drawn at half its size on a phone
LEAST = rules.MIN_TEXT_PX


@pytest.mark.parametrize("width, body, px", [
    (HALF, '<text x="9" y="30" font-size="20">Hoax</text>', 10),
    (HALF, '<g style="font-weight: bold; font-size: 20px"><text x="9" y="30">Hoax</text></g>', 10),
    (HALF, '<g font-size="40"><text x="9" y="30">Fakta</text><text font-size="50%">Hoax</text></g>', 10),
    (HALF, '<text x="9" y="30">Hoax</text>', 8),  # no font-size anywhere: the browser's 16
    (HALF, f'<text x="9" y="30" font-size="{2 * LEAST}">Hoax <tspan font-size="1em">!</tspan></text>', None),
    (HALF, f'<title>Hoax</title><g font-size="9"><rect width="9" height="9"/></g>'
           f'<text x="9" y="30" font-size="{2 * LEAST}">Hoax</text>', None),  # only drawn text counts
    (200, f'<text x="9" y="30" font-size="{LEAST}">Hoax</text>', None),  # narrower than the column: not enlarged
])
def test_an_svg_with_text_too_small_for_a_phone_is_warned(sample_copy, width, body, px):
    picture = sample_copy / "lessons/alpha/images/pic.svg"
    picture.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 60">{body}</svg>')
    assert problems_of(sample_copy) == ([] if px is None else [
        f"lessons/alpha/01-first.{lang}.md:{line}: warning: image 'images/pic.svg' has text that shows at {px} px "
        f"on a phone; make every text at least {LEAST} px, which in this image is a font-size of at least "
        f"{2 * LEAST}" for lang, line in (("en", 14), ("id", 19))])


@pytest.mark.parametrize("svg, broken", [
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60">\n<text>Hoax</svg>\n', 2),
    ('<?xml version="1.0" encoding="x-unknown"?>\n<svg viewBox="0 0 120 60"/>\n', 1),
])
def test_an_svg_that_cannot_be_parsed_is_warned_and_its_lesson_still_loads(sample_copy, svg, broken):
    (sample_copy / "lessons/alpha/images/pic.svg").write_text(svg)
    library = load(sample_copy)
    assert [str(p) for p in library.problems] == [
        f"lessons/alpha/01-first.{lang}.md:{line}: warning: image 'images/pic.svg' cannot be read as SVG (line "
        f"{broken} of the file is not well-formed XML), so the size of its text is not checked; fix it or save it "
        "again from the drawing program" for lang, line in (("en", 14), ("id", 19))]
    assert 'src="/media/alpha/images/pic.svg"' in library.modules[0].lessons[0].texts["en"].html
