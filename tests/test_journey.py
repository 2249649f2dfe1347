"""A newcomer's whole journey through the test client, in both languages, on the shipped content."""

import re

import pytest
import sqlalchemy as sa

from saring.content import get_library, load_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAttempt
from tests.conftest import PASSWORD, SAMPLES, hidden_fields

WORDS = {
    "id": {"start": "Mulai dari sini", "continue": "Lanjutkan dari yang terakhir", "passed": "Kamu lulus!",
           "right": "Tepat"},
    "en": {"start": "Start here", "continue": "Continue where you left off", "passed": "You passed!",
           "right": "Right"},
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_newcomer_signs_up_reads_the_module_and_passes_the_quiz(app, client, lang):
    words = WORDS[lang]
    with app.app_context():
        module = get_library().modules[0]
        quiz = module.quiz.text(lang)[0]
    first = module.lessons[0]

    home = client.get(f"/{lang}/").text
    assert words["start"] in home
    assert f'href="/{lang}/modules/{module.id}/{first.id}"' in home

    lesson_page = client.get(f"/{lang}/modules/{module.id}/{first.id}").text
    assert first.texts[lang].title in lesson_page
    assert f'/{lang}/signup?next=' in lesson_page

    response = client.post(f"/{lang}/signup?next=/{lang}/modules/{module.id}/{first.id}",
                           data={"username": f"pelajar-{lang}", "password": PASSWORD, "confirm": PASSWORD})
    assert response.headers["Location"] == f"/{lang}/modules/{module.id}/{first.id}"

    for index, lesson in enumerate(module.lessons):
        page = client.get(f"/{lang}/modules/{module.id}/{lesson.id}").text
        assert lesson.texts[lang].html in page
        response = client.post(f"/{lang}/modules/{module.id}/{lesson.id}/done")
        after = module.lessons[index + 1] if index + 1 < len(module.lessons) else None
        expected = f"/{lang}/modules/{module.id}/{after.id}" if after else f"/{lang}/modules/{module.id}/quiz"
        assert response.headers["Location"] == expected
        if index == 0:
            assert words["continue"] in client.get(f"/{lang}/").text

    module_page = client.get(f"/{lang}/modules/{module.id}").text
    assert f'<progress max="{len(module.lessons) + 1}" value="{len(module.lessons)}"' in module_page

    form = client.get(f"/{lang}/modules/{module.id}/quiz").text
    data = hidden_fields(form)
    for position, question in enumerate(quiz.questions, 1):
        data[f"q{position}"] = sorted(question.correct_ids)
    response = client.post(f"/{lang}/modules/{module.id}/quiz", data=data)
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).text
    assert words["passed"] in result
    assert result.count(f'<span class="verdict">{words["right"]}</span>') == len(quiz.questions)
    for question in quiz.questions:
        for option in question.options:
            if option.correct:
                assert option.explanation_html in result

    home = client.get(f"/{lang}/").text  # on to the next module's first lesson
    following = get_library_in(app).modules[1]
    assert words["continue"] in home
    assert f'href="/{lang}/modules/{following.id}/{following.lessons[0].id}"' in home
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == len(module.lessons)
        attempt = db.session.scalar(sa.select(QuizAttempt))
        assert (attempt.module_id, attempt.lang, attempt.percent, attempt.passed) == (module.id, lang, 100, True)


def get_library_in(app):
    with app.app_context():
        return get_library()


def test_progress_is_shared_across_languages(app, client, login_as):
    login_as("learner", lang="id")
    with app.app_context():
        module = get_library().modules[0]
    lesson = module.lessons[0]
    client.post(f"/id/modules/{module.id}/{lesson.id}/done")
    english = client.get(f"/en/modules/{module.id}/{lesson.id}").text
    assert "You have finished this lesson." in english


def test_marking_done_twice_keeps_one_row(app, client, login_as):
    login_as("learner")
    for _ in range(2):
        client.post("/id/modules/hoaks/jenis-misinformasi/done")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1


def test_unknown_module_and_lesson_are_404(client, login_as):
    login_as("learner")
    for path in ("/id/modules/tidak-ada", "/id/modules/hoaks/tidak-ada", "/id/modules/tidak-ada/quiz",
                 "/media/hoaks/images/../module.yml", "/media/hoaks/module.yml"):
        assert client.get(path).status_code == 404, path
    assert client.post("/id/modules/hoaks/tidak-ada/done").status_code == 404


def test_lesson_images_are_served_with_a_cache_lifetime(client):
    html = client.get("/id/modules/hoaks/jenis-misinformasi").text
    src = re.search(r'<img [^>]*src="(/media/[^"]+)"', html)[1]
    with client.get(src) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert "max-age=604800" in response.headers["Cache-Control"]


def test_pressing_done_while_signed_out_comes_back_to_the_lesson_after_login(client, create_user):
    create_user("ani")
    login_page = client.post("/en/modules/hoaks/jenis-misinformasi/done").headers["Location"]
    response = client.post(login_page, data={"username": "ani", "password": PASSWORD})
    assert response.headers["Location"] == "/en/modules/hoaks/jenis-misinformasi"
    assert client.get(response.headers["Location"]).status_code == 200


def put_first(sample_copy, module_id, files):
    """Add a module ordered before alpha, with the given files."""
    folder = sample_copy / "lessons" / module_id
    folder.mkdir()
    alpha = sample_copy / "lessons/alpha/module.yml"
    (folder / "module.yml").write_text(alpha.read_text())
    alpha.write_text(alpha.read_text().replace("order: 1", "order: 2"))
    for name, text in files.items():
        (sample_copy / name).write_text(text)


def test_a_newcomer_starts_at_the_first_lesson_even_if_the_first_module_has_none(client, sample_copy,
                                                                                   use_content):
    put_first(sample_copy, "aaa", {})
    use_content(sample_copy)
    library = load_library(sample_copy / "lessons", sample_copy / "quizzes")
    assert [m.id for m in library.modules] == ["aaa", "alpha"] and library.errors == ()
    home = client.get("/en/").text
    assert "Start here" in home and 'href="/en/modules/alpha/first"' in home
    assert "You have finished every module" not in home


def test_a_newcomer_is_not_told_to_continue_a_quiz_they_never_started(client, sample_copy, use_content):
    quiz = (sample_copy / "quizzes/alpha.en.md").read_text()
    put_first(sample_copy, "aaa", {"quizzes/aaa.en.md": quiz,
                                   "quizzes/aaa.id.md": (sample_copy / "quizzes/alpha.id.md").read_text()})
    use_content(sample_copy)
    home = client.get("/en/").text
    assert "Continue where you left off" not in home
    assert "Start here" in home and 'href="/en/modules/alpha/first"' in home


def test_home_says_when_everything_is_finished(client, login_as, use_content):
    use_content(SAMPLES / "good")
    login_as("learner", lang="en")
    for lesson_id in ("first", "second"):
        client.post(f"/en/modules/alpha/{lesson_id}/done")
    assert "Take the quiz" in client.get("/en/").text
    form = client.get("/en/modules/alpha/quiz").text
    client.post("/en/modules/alpha/quiz", data={**hidden_fields(form), "q1": "b", "q2": ["a", "b"], "q3": "a",
                                                "q4": "b", "q5": "a", "q6": "c", "q7": ["a", "c"], "q8": "b"})
    assert "You have finished every module. Well done!" in client.get("/en/").text


def test_finishing_a_lesson_says_so_on_the_next_page(client, login_as, use_content):
    use_content(SAMPLES / "good")
    login_as("learner", lang="id")
    response = client.post("/id/modules/alpha/first/done", follow_redirects=True)
    assert response.request.path == "/id/modules/alpha/second"
    assert "Pelajaran ditandai selesai: Pelajaran pertama" in response.text
    assert "Pelajaran ditandai selesai" not in client.get("/id/modules/alpha/second").text  # said once


def test_the_quiz_is_a_step_on_the_module_card_the_module_page_and_the_progress(client, login_as, use_content):
    use_content(SAMPLES / "good")
    login_as("learner", lang="en")
    client.post("/en/modules/alpha/first/done")
    card = client.get("/en/modules").text
    assert "2 lessons and a quiz" in card and "1 of 3 steps done" in card
    module = client.get("/en/modules/alpha").text
    assert "1 of 3 steps done" in module
    steps = re.findall(r'<li class="step[^"]*"[^>]*>\s*<a [^>]*>([^<]+)</a>', module)
    assert steps == ["First lesson", "Second lesson", "Quiz"]


def test_the_home_button_says_what_it_does(client, login_as, use_content):
    use_content(SAMPLES / "good")
    assert ">Read next: First lesson</a>" in client.get("/en/").text
    login_as("learner", lang="id")
    client.post("/id/modules/alpha/first/done")
    assert ">Lanjut baca: Pelajaran kedua</a>" in client.get("/id/").text
