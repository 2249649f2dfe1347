"""Classes without enough phones: the printable worksheet (no answer in it), the teacher's answer key, and a
learner's paper answers recorded by their teacher, graded and kept like an online attempt."""

import re

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.classes import Assignment, Classroom, Membership
from saring.extensions import db
from saring.quizzes import QuizAttempt
from saring.reviews import ReviewCard
from tests.conftest import PASSWORD, SAMPLES, hidden_fields
from tests.test_quiz_views import RIGHT, without_keys

# the sample quiz's right answers by position (tests/content/good/quizzes/alpha.*.md), and every explanation
EXPLANATIONS = ("Belum tepat: pesan yang membuat panik", "Tepat: kabar sebesar ini", "Ya, ini memancing emosi",
                "Tepat: penggalangan resmi")


@pytest.fixture
def app_config():
    return {"CONTENT_LESSONS_DIR": str(SAMPLES / "good/lessons"),
            "CONTENT_QUIZZES_DIR": str(SAMPLES / "good/quizzes")}


@pytest.fixture
def paper_class(app, create_user, client):
    """A class of "guru" with the learners "ani" and "budi", the teacher signed in; yields the pages' addresses."""
    teacher = create_user("guru", role="teacher")
    learners = [create_user("ani"), create_user("budi")]
    with app.app_context():
        classroom = Classroom(teacher_id=teacher, name="7C", join_code="PQRSTU",
                              assignments=[Assignment(module_id="alpha")])
        db.session.add(classroom)
        db.session.flush()
        db.session.add_all(Membership(classroom_id=classroom.id, user_id=user) for user in learners)
        db.session.commit()
        class_id = classroom.id
    client.post("/id/login", data={"username": "guru", "password": PASSWORD})
    base = f"/id/classes/{class_id}/modules/alpha"
    return {"id": class_id, "teacher": teacher, "ani": learners[0], "budi": learners[1],
            "worksheet": f"{base}/worksheet", "key": f"{base}/answer-key", "paper": f"{base}/paper"}


def attempts(app):
    with app.app_context():
        return db.session.scalars(sa.select(QuizAttempt).options(sa.orm.selectinload(QuizAttempt.answers))).all()


def paper_form(client, paper_class, learner="ani", **ticks):
    """The paper form's hidden fields, the learner and `ticks` (q1="b", q2=["a", "b"]), ready to post."""
    data = hidden_fields(client.get(paper_class["paper"]).text)
    return {**data, "learner": str(paper_class[learner]), **ticks}


def test_the_worksheet_holds_every_key_point_and_question_and_space_to_write(client, paper_class):
    html = client.get(paper_class["worksheet"]).text
    for text in ("Pelajaran pertama", "Ringkasan pertama.", "Coba sekarang", "Lakukan hari ini",  # lessons
                 "Pesan ini masuk. Apa yang kamu lakukan?", "ATM tutup besok!", "Grup Keluarga",  # a question, its card
                 "Teruskan.", "Cek dulu ke situs resmi bank.", "Abaikan.", "Soal 8 dari 8"):
        assert text in html
    assert html.count('class="tick-box"') == 22  # every option of the eight questions
    assert "Nama" in html and 'class="write-lines"' in html
    assert html.count('class="write-lines"') == 2  # one under each lesson's closing action


def test_the_worksheet_holds_no_answer_and_no_explanation(client, paper_class):
    html = client.get(paper_class["worksheet"]).text
    for explanation in EXPLANATIONS:
        assert explanation not in html
    assert "Jawaban benar" not in html and "correct" not in html.lower() and "key-right" not in html
    for question_id in ("pesan-atm", "tanda-hoaks", "kabar-resmi"):
        assert question_id not in html


def test_the_worksheet_is_the_same_whatever_the_answer_key(client, paper_class, sample_copy, use_content):
    before = without_keys(client.get(paper_class["worksheet"]).text)
    quiz = sample_copy / "quizzes/alpha.id.md"
    quiz.write_text(quiz.read_text().replace("- [ ] Teruskan.", "- [x] Teruskan.")
                    .replace("- [x] Cek dulu", "- [ ] Cek dulu").replace("- [x] Benar", "- [ ] Benar")
                    .replace("- [ ] Salah", "- [x] Salah"))
    use_content(sample_copy)
    assert without_keys(client.get(paper_class["worksheet"]).text) == before


def test_the_answer_key_marks_every_right_option_and_explains_every_option(client, paper_class):
    html = client.get(paper_class["key"]).text
    for explanation in EXPLANATIONS:
        assert explanation in html
    assert html.count('class="key-right"') == sum(len(v) if isinstance(v, list) else 1 for v in RIGHT.values())
    right = re.search(r'<li class="key-right">\s*<p><span class="tick-letter">(\w)\.', html)[1]
    assert right == "B"  # the first question's right answer, under the worksheet's letter
    assert html.count("✓ Jawaban benar") == 10


def test_a_teacher_records_paper_answers_graded_like_the_online_quiz(app, client, paper_class):
    wrong_first = {**RIGHT, "q1": "a", "q2": ["a"]}  # 6 of 8 right: 75%, over the pass mark of 60%
    response = client.post(paper_class["paper"], data=paper_form(client, paper_class, **wrong_first))
    assert response.status_code == 302 and response.headers["Location"] == paper_class["paper"]
    page = client.get(paper_class["paper"]).text
    assert "Tercatat untuk ani: 6 dari 8 benar (75%), lulus." in page
    [attempt] = attempts(app)
    assert (attempt.user_id, attempt.recorded_by_id, attempt.module_id) == (paper_class["ani"],
                                                                            paper_class["teacher"], "alpha")
    assert (attempt.score, attempt.total, attempt.percent, attempt.passed) == (6, 8, 75, True)
    verdicts = {answer.question_id: (answer.chosen, answer.correct) for answer in attempt.answers}
    assert verdicts["pesan-atm"] == ("a", False) and verdicts["tanda-hoaks"] == ("a", False)
    assert verdicts["kabar-resmi"] == ("a", True)
    with app.app_context():  # spaced review takes the questions missed on paper too
        cards = db.session.scalars(sa.select(ReviewCard.ref).filter_by(user_id=paper_class["ani"])).all()
    assert {"pesan-atm", "tanda-hoaks"} <= set(cards)


def test_a_double_submit_records_once(app, client, paper_class):
    data = paper_form(client, paper_class, **RIGHT)
    for _ in range(2):
        assert client.post(paper_class["paper"], data=data).status_code == 302
    assert len(attempts(app)) == 1


def test_a_paper_attempt_shows_in_the_class_report_and_the_learners_page(app, client, paper_class):
    client.post(paper_class["paper"], data=paper_form(client, paper_class, learner="budi", **RIGHT))
    report = client.get(f"/id/classes/{paper_class['id']}/report").text
    assert "100%" in report
    learner = client.get(f"/id/classes/{paper_class['id']}/learners/{paper_class['budi']}").text
    assert "(di kertas)" in learner


def test_questions_left_blank_are_named_and_kept_unless_the_teacher_records_them_as_wrong(app, client, paper_class):
    data = paper_form(client, paper_class, **{**RIGHT, "q3": [], "q5": []})
    response = client.post(paper_class["paper"], data=data)
    assert response.status_code == 400
    assert "2 soal belum dicentang jawabannya" in response.text
    assert 'name="q1" value="b" checked' in response.text
    assert attempts(app) == []
    response = client.post(paper_class["paper"], data={**data, "blanks": "y"})
    assert response.status_code == 302
    [attempt] = attempts(app)
    assert (attempt.score, attempt.passed) == (6, True)


@pytest.mark.parametrize("change", [
    {"learner": ""}, {"learner": "x"}, {"q1": "z"}, {"q1": ["a", "b"]}, {"q99": "a"}, {"submission_key": "short"},
    {"quiz_version": "0" * 16},
], ids=["nobody", "not-a-number", "unknown-option", "two-single", "unknown-question", "bad-key", "old-version"])
def test_a_bad_form_gets_a_message_and_records_nothing(app, client, paper_class, change):
    response = client.post(paper_class["paper"], data={**paper_form(client, paper_class, **RIGHT), **change})
    assert response.status_code == 400
    assert 'role="alert"' in response.text or 'class="error"' in response.text
    assert attempts(app) == []


def test_a_learner_outside_the_class_cannot_be_recorded_for(app, client, paper_class, create_user):
    stranger = create_user("orang-lain")
    data = {**paper_form(client, paper_class, **RIGHT), "learner": str(stranger)}
    response = client.post(paper_class["paper"], data=data)
    assert response.status_code == 400 and "Pilih pelajar dari kelas ini." in response.text
    assert attempts(app) == []


def test_the_class_page_links_each_assigned_module_to_its_sheets(client, paper_class):
    html = client.get(f"/id/classes/{paper_class['id']}").text
    for page in ("worksheet", "key", "paper"):
        assert f'href="{paper_class[page]}"' in html


def test_the_teachers_account_going_leaves_the_attempt_to_the_learner(app, client, paper_class):
    client.post(paper_class["paper"], data=paper_form(client, paper_class, **RIGHT))
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.id == paper_class["teacher"]))
        db.session.commit()
    [attempt] = attempts(app)
    assert attempt.user_id == paper_class["ani"] and attempt.recorded_by_id is None


def test_the_learner_is_told_an_attempt_was_recorded_from_paper_and_by_whom(app, client, paper_class):
    client.post(paper_class["paper"], data=paper_form(client, paper_class, **RIGHT))
    [attempt] = attempts(app)
    learner = app.test_client()
    learner.post("/id/login", data={"username": "ani", "password": PASSWORD})
    result = learner.get(f"/id/modules/alpha/quiz/attempts/{attempt.id}").text
    assert "guru mencatat jawaban ini dari lembar kuis kertasmu." in result
    english = learner.get(f"/en/modules/alpha/quiz/attempts/{attempt.id}").text
    assert "guru recorded these answers from your paper quiz." in english
    [saved] = learner.get("/id/account/data.json").json["quiz_attempts"]
    assert (saved["on_paper"], saved["recorded_by"]) == (True, "guru")


def test_an_online_attempt_says_nothing_of_paper(app, client, paper_class):
    learner = app.test_client()
    learner.post("/id/login", data={"username": "budi", "password": PASSWORD})
    data = hidden_fields(learner.get("/id/modules/alpha/quiz").text)
    response = learner.post("/id/modules/alpha/quiz", data={**data, **RIGHT})
    result = learner.get(response.headers["Location"]).text
    assert "kertas" not in result
    [saved] = learner.get("/id/account/data.json").json["quiz_attempts"]
    assert (saved["on_paper"], saved["recorded_by"]) == (False, None)
