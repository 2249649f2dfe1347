"""Server-side grading and reading a submitted quiz form, including forged forms."""

from dataclasses import replace

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from saring.content import load_library
from saring.extensions import db
from saring.quizzes import QuizAnswer, grade_attempt, read_answers
from tests.conftest import SAMPLES

ALL_RIGHT = {"pesan-atm": frozenset("b"), "tanda-hoaks": frozenset("ab"), "kabar-resmi": frozenset("a"),
             "sms-paket": frozenset("b"), "info-cuaca": frozenset("a"), "donasi-banjir": frozenset("c"),
             "langkah-cek": frozenset("ac"), "judul-heboh": frozenset("b")}


@pytest.fixture(scope="module")
def quiz():
    return load_library(SAMPLES / "good/lessons", SAMPLES / "good/quizzes").module("alpha").quiz.texts["en"]


def test_all_right(quiz):
    grade = grade_attempt(quiz, ALL_RIGHT)
    assert (grade.score, grade.total, grade.percent, grade.passed) == (8, 8, 100, True)


def test_multiple_needs_exactly_the_correct_options(quiz):
    for chosen in ("a", "abc", "bc"):
        grade = grade_attempt(quiz, {**ALL_RIGHT, "tanda-hoaks": frozenset(chosen)})
        assert not grade.results[1].correct
        assert grade.score == 7


def test_percent_rounds_down_and_pass_mark_is_exact(quiz):
    grade = grade_attempt(quiz, {**ALL_RIGHT, "pesan-atm": frozenset("a")})
    assert grade.percent == 87  # 7 of 8 is 87.5%: never shown as more than it is
    assert grade.passed  # pass mark 60
    one_right = grade_attempt(quiz, {"pesan-atm": frozenset("b")})
    assert (one_right.score, one_right.percent, one_right.passed) == (1, 12, False)


def test_pass_mark_boundary(quiz):
    strict = replace(quiz, pass_mark=88)
    assert not grade_attempt(strict, {**ALL_RIGHT, "pesan-atm": frozenset("a")}).passed
    exact = replace(quiz, pass_mark=87)
    assert grade_attempt(exact, {**ALL_RIGHT, "pesan-atm": frozenset("a")}).passed


FIELDS = {"pesan_atm": "q1", "tanda_hoaks": "q2", "kabar_resmi": "q3", "sms_paket": "q4", "info_cuaca": "q5",
          "donasi_banjir": "q6", "langkah_cek": "q7", "judul_heboh": "q8", "soal_lain": "q9"}


def form(**fields):
    data = MultiDict()
    for name, values in fields.items():
        for value in values:
            data.add(FIELDS.get(name, name), value)
    return data


def test_read_answers(quiz):
    answers, missing, forged = read_answers(quiz, form(pesan_atm="b", tanda_hoaks="ab", kabar_resmi="a", sms_paket="b",
                                                       info_cuaca="a", donasi_banjir="c", langkah_cek="ac",
                                                       judul_heboh="b"))
    assert (answers, missing, forged) == (ALL_RIGHT, {}, None)


def test_unanswered_questions_are_named(quiz):
    _, missing, forged = read_answers(quiz, form(pesan_atm="b"))
    assert forged is None
    assert set(missing) == set(ALL_RIGHT) - {"pesan-atm"}


@pytest.mark.parametrize("fields", [
    {"pesan_atm": "z"},                    # unknown option
    {"pesan_atm": "ab"},                   # two answers to a single-answer question
    {"tanda_hoaks": "aa"},                 # the same option twice
    {"kabar_resmi": "ab"},                 # both true and false
    {"soal_lain": "a"},                    # a question that is not in the quiz
    {"q-pesan-atm": "b"},                  # a field this quiz never has
    {"pesan_atm": ["<script>"]},           # markup instead of an option id
    {"pesan_atm": ["b" * 5000]},           # an over-long value
])
def test_forged_forms_are_refused(quiz, fields):
    answers, missing, forged = read_answers(quiz, form(**fields))
    assert forged and answers == {} and missing == {}


def test_the_database_keeps_one_answer_per_question_of_an_attempt(app, owned_attempt):
    """The code never writes two; the database refuses them too, whatever writes next."""
    with app.app_context():
        first = db.session.scalars(sa.select(QuizAnswer).where(QuizAnswer.attempt_id == owned_attempt)).first()
        # an INSERT of its own: the ORM refuses any answer added to a saved attempt before the database sees it
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(QuizAnswer).values(attempt_id=owned_attempt, question_id=first.question_id,
                                                            chosen="a", correct=False))
        db.session.rollback()
