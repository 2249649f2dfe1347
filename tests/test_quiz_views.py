"""The quiz pages: no answer in the page, idempotent submits, forged forms, private results."""

import re
import shutil
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from saring.extensions import db
from saring.quizzes import QuizAnswer, QuizAttempt, QuizSummary, quiz_summaries
from tests.conftest import PASSWORD, SAMPLES, hidden_fields

QUIZ = "/id/modules/alpha/quiz"
# pesan-atm, tanda-hoaks, kabar-resmi, sms-paket, info-cuaca, donasi-banjir, langkah-cek, judul-heboh
RIGHT = {"q1": "b", "q2": ["a", "b"], "q3": "a", "q4": "b", "q5": "a", "q6": "c", "q7": ["a", "c"], "q8": "b"}


@pytest.fixture
def app_config():
    return {"CONTENT_LESSONS_DIR": str(SAMPLES / "good/lessons"),
            "CONTENT_QUIZZES_DIR": str(SAMPLES / "good/quizzes")}


def key_of(html):
    return hidden_fields(html)["submission_key"]


def attempts(app):
    with app.app_context():
        return db.session.scalars(sa.select(QuizAttempt)).all()


def without_keys(html):
    """The page without its per-visit values: the submission key and the (timestamped) CSRF token."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'value="[0-9a-f]{32}"', "", html)


def test_quiz_page_holds_no_answers_or_explanations(client):
    html = client.get(QUIZ).text
    assert "Belum tepat" not in html and "Tepat:" not in html and "desakan" not in html
    assert "correct" not in html.lower() and "genuine" not in html and "sift-stop" not in html


def test_quiz_page_never_shows_question_ids_which_may_hint_at_the_answer(client):
    html = client.get(QUIZ).text
    for question_id in ("pesan-atm", "tanda-hoaks", "kabar-resmi"):
        assert question_id not in html


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
    data = {**hidden_fields(client.get(QUIZ).text), **RIGHT, "q1": "a"}
    first = client.post(QUIZ, data=data)
    assert first.status_code == 302
    again = client.post(QUIZ, data=data)
    assert again.headers["Location"] == first.headers["Location"]
    [attempt] = attempts(app)
    assert (attempt.score, attempt.total, attempt.percent, attempt.passed) == (7, 8, 87, True)
    with app.app_context():
        answers = db.session.scalars(sa.select(QuizAnswer).order_by(QuizAnswer.id)).all()
        assert [(a.question_id, a.chosen, a.correct) for a in answers] == [
            ("pesan-atm", "a", False), ("tanda-hoaks", "a,b", True), ("kabar-resmi", "a", True),
            ("sms-paket", "b", True), ("info-cuaca", "a", True), ("donasi-banjir", "c", True),
            ("langkah-cek", "a,c", True), ("judul-heboh", "b", True)]
    result = client.get(first.headers["Location"]).text
    assert "87%" in result and "7 dari 8 soal benar" in result
    # a wrong answer shows its own explanation and the correct option's
    assert "Belum tepat: pesan yang membuat panik" in result
    assert "Tepat: kabar sebesar ini" in result
    # an option neither chosen nor correct keeps its explanation to itself
    assert "kamu bisa membantu keluarga mengecek" not in result


def test_the_result_leads_with_the_mistakes_and_folds_each_right_answer(client, login_as):
    login_as("learner", lang="en")
    data = {**hidden_fields(client.get("/en/modules/alpha/quiz").text), **RIGHT, "q1": "a", "q8": "a"}
    result = client.get(client.post("/en/modules/alpha/quiz", data=data).headers["Location"]).text
    verdicts = re.findall(r'class="answer (right|wrong)"', result)
    assert verdicts == ["wrong"] * 2 + ["right"] * 6
    assert re.findall(r'<h3 id="answer-\d+">Question (\d+)', result) == ["1", "8"]
    folded = re.findall(r'<details class="answer right"[^>]*>\s*<summary>(.*?)</summary>', result, re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", line).split() [:3] for line in folded] == [
        ["Question", str(n) + ":", "Right"] for n in range(2, 8)]
    assert "<details open" not in result


def test_replayed_form_after_logging_in_again_lands_on_the_same_attempt(app, client, login_as):
    login_as("learner")
    data = {**hidden_fields(client.get(QUIZ).text), **RIGHT}
    location = client.post(QUIZ, data=data).headers["Location"]
    client.post("/id/logout")
    client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    assert client.post(QUIZ, data=data).headers["Location"] == location
    assert len(attempts(app)) == 1


def test_best_and_latest_attempts_are_kept(app, client, login_as):
    login_as("learner")
    for chosen in ("b", "a"):
        client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), **RIGHT, "q1": chosen})
    assert [a.percent for a in attempts(app)] == [100, 87]
    page = client.get("/en/modules/alpha").text
    assert "Your best score: 100%. Latest: 87%." in page


def test_unanswered_questions_keep_the_choices_and_store_nothing(app, client, login_as):
    login_as("learner")
    response = client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), "q1": "b"})
    assert response.status_code == 200
    assert "7 soal belum dijawab." in response.text
    assert 'name="q1" value="b" checked' in response.text
    assert response.text.count('class="error"') == 7
    assert attempts(app) == []


@pytest.mark.parametrize("data", [
    {**RIGHT, "q1": "z"},
    {**RIGHT, "q1": ["a", "b"]},
    {**RIGHT, "q9": "a"},
    {**RIGHT, "submission_key": "not-a-key"},
    {**RIGHT, "submission_key": ""},
    {**RIGHT, "submission_key": "0" * 32 + "\n"},
])
def test_forged_forms_get_a_message_and_store_nothing(app, client, login_as, data):
    login_as("learner")
    data = {**hidden_fields(client.get(QUIZ).text), **data}
    response = client.post(QUIZ, data=data)
    assert response.status_code == 400
    assert "jawaban yang bukan bagian dari kuis ini" in response.text
    assert attempts(app) == []


def test_visitors_see_their_result_but_nothing_is_stored(app, client):
    response = client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), **RIGHT})
    assert response.status_code == 200
    assert "100%" in response.text and "Kamu lulus!" in response.text
    assert "Daftar untuk menyimpan kemajuan belajarmu." in response.text
    assert attempts(app) == []


def test_an_attempt_is_visible_only_to_its_learner(app, client, login_as, create_user):
    login_as("learner", username="ani")
    location = client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), **RIGHT}).headers["Location"]
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
    pages = [client.get(QUIZ).text for _ in range(30)]
    assert len({tuple(re.findall(r'name="q1" value="(\w)"', page)) for page in pages}) > 1
    assert {tuple(re.findall(r'name="q3" value="(\w)"', page)) for page in pages} == {("a", "b")}  # true, false
    client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), **RIGHT})
    assert attempts(app)[0].percent == 100


def test_a_submission_key_replayed_on_another_quiz_leads_to_its_own_result(app, client, login_as, sample_copy,
                                                                           use_content):
    shutil.copytree(sample_copy / "lessons/alpha", sample_copy / "lessons/beta")
    for lang in ("id", "en"):
        shutil.copy(sample_copy / f"quizzes/alpha.{lang}.md", sample_copy / f"quizzes/beta.{lang}.md")
    use_content(sample_copy)
    login_as("learner")
    data = {**hidden_fields(client.get(QUIZ).text), **RIGHT}
    location = client.post(QUIZ, data=data).headers["Location"]
    replayed = client.post("/id/modules/beta/quiz", data=data).headers["Location"]
    assert replayed == location and location.startswith("/id/modules/alpha/quiz/attempts/")
    assert client.get(replayed).status_code == 200
    assert len(attempts(app)) == 1


def test_result_shows_the_verdicts_that_were_graded(app, client, login_as):
    login_as("learner")
    location = client.post(QUIZ, data={**hidden_fields(client.get(QUIZ).text), **RIGHT}).headers["Location"]
    with app.app_context():
        # as if the answer key changed after the attempt was graded; a bulk UPDATE, as the ORM refuses to
        # change a saved answer (saring.editing.tallies)
        db.session.execute(sa.update(QuizAnswer).where(QuizAnswer.question_id == "pesan-atm").values(correct=False))
        db.session.commit()
    result = client.get(location).text
    assert result.count('<span class="verdict">Belum tepat</span>') == 1


@pytest.mark.parametrize("attempt_id", ["2147483648", "9223372036854775808", "99999999999999999999999"])
def test_huge_attempt_ids_are_404(client, login_as, attempt_id):
    login_as("learner")
    assert client.get(f"/id/modules/alpha/quiz/attempts/{attempt_id}").status_code == 404


def test_a_form_opened_before_the_quiz_changed_is_not_graded(app, client, login_as, sample_copy, use_content):
    login_as("learner")
    use_content(sample_copy)
    data = {**hidden_fields(client.get(QUIZ).text), **RIGHT}
    for lang in ("id", "en"):  # the editor moves the third question, and those after it, to the top
        quiz = sample_copy / f"quizzes/alpha.{lang}.md"
        head, body = quiz.read_text().split("## pesan-atm", 1)
        first_two, last = body.split("## kabar-resmi", 1)
        quiz.write_text(f"{head}## kabar-resmi{last}\n## pesan-atm{first_two}")
    use_content(sample_copy)
    response = client.post(QUIZ, data=data)
    assert response.status_code == 400
    assert "Kuis ini diubah setelah kamu membukanya" in response.text
    assert attempts(app) == []


def test_quiz_summaries_per_module_and_learner(app, create_user):

    ani, budi = create_user("ani"), create_user("budi")
    start = datetime(2026, 1, 1)
    attempts_made = [(ani, "alpha", 40, False), (ani, "alpha", 90, True), (ani, "alpha", 60, False),
                     (ani, "beta", 70, True), (budi, "alpha", 100, True)]
    with app.app_context():
        for number, (user_id, module_id, percent, passed) in enumerate(attempts_made):
            db.session.add(QuizAttempt(user_id=user_id, module_id=module_id, lang="id", submission_key=f"{number:032x}",
                                       score=percent // 10, total=10, percent=percent, passed=passed,
                                       created_at=start + timedelta(days=number)))
        db.session.commit()
        assert quiz_summaries(ani) == {
            "alpha": QuizSummary(best=90, passed=True, latest=60, latest_at=start + timedelta(days=2), attempts=3),
            "beta": QuizSummary(best=70, passed=True, latest=70, latest_at=start + timedelta(days=3), attempts=1),
        }
        assert quiz_summaries(budi)["alpha"].attempts == 1
        assert quiz_summaries(budi + ani + 100) == {}
