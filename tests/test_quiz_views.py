"""The quiz pages: no answer in the page, idempotent submits, forged forms, private results."""

import re

import pytest
import sqlalchemy as sa

from saring.extensions import db
from saring.quizzes import QuizAnswer, QuizAttempt
from tests.conftest import SAMPLES

QUIZ = "/id/modules/alpha/quiz"
RIGHT = {"q-pesan-atm": "b", "q-tanda-hoaks": ["a", "b"], "q-kabar-resmi": "a"}


@pytest.fixture
def app_config():
    return {"CONTENT_LESSONS_DIR": str(SAMPLES / "good/lessons"),
            "CONTENT_QUIZZES_DIR": str(SAMPLES / "good/quizzes")}


def key_of(html):
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', html)[1]


def attempts(app):
    with app.app_context():
        return db.session.scalars(sa.select(QuizAttempt)).all()


def without_keys(html):
    return re.sub(r'value="[0-9a-f]{32}"', "", html)


def test_quiz_page_holds_no_answers_or_explanations(client):
    html = client.get(QUIZ).text
    assert "Belum tepat" not in html and "Tepat:" not in html and "desakan" not in html
    assert "correct" not in html.lower() and "genuine" not in html and "sift-stop" not in html


def test_quiz_page_is_the_same_whatever_the_answer_key(client, sample_copy, use_content):
    before = without_keys(client.get(QUIZ).text)
    quiz = sample_copy / "quizzes/alpha.id.md"
    swaps = {"- [ ] Teruskan.": "- [x] Teruskan.", "- [x] Cek dulu": "- [ ] Cek dulu",
             "- [x] Benar": "- [ ] Benar", "- [ ] Salah": "- [x] Salah"}
    text = quiz.read_text()
    for old, new in swaps.items():
        text = text.replace(old, new)
    quiz.write_text(text)
    use_content(sample_copy)
    assert without_keys(client.get(QUIZ).text) == before


def test_signed_in_submit_saves_one_attempt_and_shows_the_result(app, client, login_as):
    login_as("learner")
    data = {"submission_key": key_of(client.get(QUIZ).text), **RIGHT, "q-pesan-atm": "a"}
    first = client.post(QUIZ, data=data)
    assert first.status_code == 302
    again = client.post(QUIZ, data=data)
    assert again.headers["Location"] == first.headers["Location"]
    [attempt] = attempts(app)
    assert (attempt.score, attempt.total, attempt.percent, attempt.passed) == (2, 3, 66, True)
    with app.app_context():
        answers = db.session.scalars(sa.select(QuizAnswer).order_by(QuizAnswer.id)).all()
        assert [(a.question_id, a.chosen, a.correct) for a in answers] == [
            ("pesan-atm", "a", False), ("tanda-hoaks", "a,b", True), ("kabar-resmi", "a", True)]
    result = client.get(first.headers["Location"]).text
    assert "66%" in result and "2 dari 3 soal benar" in result
    # a wrong answer shows its own explanation and the correct option's
    assert "Belum tepat: pesan yang membuat panik" in result
    assert "Tepat: kabar sebesar ini" in result
    # an option neither chosen nor correct keeps its explanation to itself
    assert "kamu bisa membantu keluarga mengecek" not in result


def test_replayed_form_after_logging_in_again_lands_on_the_same_attempt(app, client, login_as):
    from tests.conftest import PASSWORD
    login_as("learner")
    data = {"submission_key": key_of(client.get(QUIZ).text), **RIGHT}
    location = client.post(QUIZ, data=data).headers["Location"]
    client.post("/id/logout")
    client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    assert client.post(QUIZ, data=data).headers["Location"] == location
    assert len(attempts(app)) == 1


def test_best_and_latest_attempts_are_kept(app, client, login_as):
    login_as("learner")
    for chosen in ("b", "a"):
        client.post(QUIZ, data={"submission_key": key_of(client.get(QUIZ).text), **RIGHT, "q-pesan-atm": chosen})
    assert [a.percent for a in attempts(app)] == [100, 66]
    page = client.get("/en/modules/alpha").text
    assert "Your best score: 100%. Latest: 66%." in page


def test_unanswered_questions_keep_the_choices_and_store_nothing(app, client, login_as):
    login_as("learner")
    response = client.post(QUIZ, data={"submission_key": key_of(client.get(QUIZ).text), "q-pesan-atm": "b"})
    assert response.status_code == 200
    assert "2 soal belum dijawab." in response.text
    assert 'name="q-pesan-atm" value="b" checked' in response.text
    assert response.text.count('class="error"') == 2
    assert attempts(app) == []


@pytest.mark.parametrize("data", [
    {**RIGHT, "q-pesan-atm": "z"},
    {**RIGHT, "q-pesan-atm": ["a", "b"]},
    {**RIGHT, "q-lain": "a"},
    {**RIGHT, "submission_key": "not-a-key"},
    {**RIGHT, "submission_key": ""},
])
def test_forged_forms_get_a_message_and_store_nothing(app, client, login_as, data):
    login_as("learner")
    data = {"submission_key": key_of(client.get(QUIZ).text), **data}
    response = client.post(QUIZ, data=data)
    assert response.status_code == 400
    assert "jawaban yang bukan bagian dari kuis ini" in response.text
    assert attempts(app) == []


def test_visitors_see_their_result_but_nothing_is_stored(app, client):
    response = client.post(QUIZ, data={"submission_key": key_of(client.get(QUIZ).text), **RIGHT})
    assert response.status_code == 200
    assert "100%" in response.text and "Kamu lulus!" in response.text
    assert "Daftar untuk menyimpan progres belajarmu." in response.text
    assert attempts(app) == []


def test_an_attempt_is_visible_only_to_its_learner(app, client, login_as, create_user):
    from tests.conftest import PASSWORD
    login_as("learner", username="ani")
    location = client.post(QUIZ, data={"submission_key": key_of(client.get(QUIZ).text), **RIGHT}).headers["Location"]
    assert client.get(location).status_code == 200
    client.post("/id/logout")
    assert client.get(location).status_code == 404
    create_user("budi")
    client.post("/id/login", data={"username": "budi", "password": PASSWORD})
    assert client.get(location).status_code == 404
    attempt_id = location.rsplit("/", 1)[1]
    assert client.get(f"/id/modules/hoaks/quiz/attempts/{attempt_id}").status_code == 404


def test_shuffled_quiz_still_grades_by_option_id(app, client, login_as, sample_copy, use_content):
    for lang in ("id", "en"):
        quiz = sample_copy / f"quizzes/alpha.{lang}.md"
        quiz.write_text(quiz.read_text().replace("shuffle: false", "shuffle: true"))
    use_content(sample_copy)
    login_as("learner")
    orders = {tuple(re.findall(r'name="q-pesan-atm" value="(\w)"', client.get(QUIZ).text)) for _ in range(30)}
    assert len(orders) > 1
    client.post(QUIZ, data={"submission_key": key_of(client.get(QUIZ).text), **RIGHT})
    assert attempts(app)[0].percent == 100
