"""Properties that hold for any input (Hypothesis): the grader, reading quiz forms, the content parser, forms."""

import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from saring.accounts import User
from saring.classes import Classroom
from saring.content import load_library
from saring.extensions import db
from saring.quizzes import field_name, grade_attempt, read_answers
from tests.conftest import PASSWORD, SAMPLES

QUIZZES = [(module.id, lang) for module in load_library("lessons", "quizzes").modules if module.quiz
           for lang in ("id", "en")]
LIBRARY = load_library("lessons", "quizzes")
OPTION_IDS = st.sampled_from("abcdefgz")
ODD_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)  # any character a form can carry
# Each example here is a few requests or one content load: fewer examples than the default keep the suite quick
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def quiz_of(module_id, lang):
    return LIBRARY.module(module_id).quiz.texts[lang]


@st.composite
def answer_sets(draw):
    """A quiz of the curriculum and any answers to it, right or wrong, some left out."""
    module_id, lang = draw(st.sampled_from(QUIZZES))
    quiz = quiz_of(module_id, lang)
    answers = {}
    for question in quiz.questions:
        ids = [option.id for option in question.options]
        answers[question.id] = frozenset(draw(st.sets(st.sampled_from(ids), max_size=len(ids))))
    return quiz, answers


@given(answer_sets())
def test_the_grade_counts_exactly_the_questions_answered_exactly_right(case):
    quiz, answers = case
    grade = grade_attempt(quiz, answers)
    right = sum(answers[q.id] == q.correct_ids for q in quiz.questions)
    assert grade.score == right and grade.total == len(quiz.questions)
    assert 0 <= grade.percent <= 100
    assert grade.passed == (right * 100 >= quiz.pass_mark * len(quiz.questions))


@given(answer_sets(), st.data())
def test_correcting_an_answer_never_lowers_the_grade(case, data):
    quiz, answers = case
    question = data.draw(st.sampled_from(quiz.questions))
    better = {**answers, question.id: question.correct_ids}
    assert grade_attempt(quiz, better).score >= grade_attempt(quiz, answers).score
    assert grade_attempt(quiz, {q.id: q.correct_ids for q in quiz.questions}).passed


@given(st.sampled_from(QUIZZES), st.lists(st.tuples(
    st.one_of(st.sampled_from([field_name(n) for n in range(0, 15)]), st.text(max_size=12)),
    st.one_of(OPTION_IDS, st.text(max_size=12))), max_size=30))
def test_any_submitted_form_is_read_as_valid_answers_or_refused(which, fields):
    quiz = quiz_of(*which)
    answers, missing, forged = read_answers(quiz, MultiDict(fields))
    if forged:
        assert answers == {} and missing == {}
        return
    for position, question in enumerate(quiz.questions, 1):
        chosen = answers[question.id]
        assert chosen <= {option.id for option in question.options}
        assert question.type == "multiple" or len(chosen) <= 1
        assert (question.id in missing) == (not chosen)
        assert chosen == frozenset(MultiDict(fields).getlist(field_name(position)))


@pytest.fixture(scope="module")
def content_tree():
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(SAMPLES / "good", folder, dirs_exist_ok=True)
    yield folder
    shutil.rmtree(folder)


LESSON = "lessons/alpha/01-first.en.md"
QUIZ = "quizzes/alpha.en.md"


@FEW
@given(which=st.sampled_from([LESSON, QUIZ]), text=st.one_of(
    ODD_TEXT,
    st.builds(lambda front, body: f"---\n{front}\n---\n{body}", ODD_TEXT, ODD_TEXT),
    st.builds(lambda cut: (SAMPLES / "good" / QUIZ).read_text()[:cut], st.integers(0, 2000)),
))
def test_any_content_file_is_loaded_or_reported_with_its_file_and_line(content_tree, which, text):
    original = (SAMPLES / "good" / which).read_text()
    (content_tree / which).write_text(text, encoding="utf-8")
    try:
        library = load_library(content_tree / "lessons", content_tree / "quizzes")
    finally:
        (content_tree / which).write_text(original, encoding="utf-8")
    for problem in library.problems:
        assert problem.path and problem.line >= 1 and problem.message
    errors = [p for p in library.problems if not p.warning]
    if errors:  # named in the path, or (a question missing from it) in the message
        assert any(Path(which).name in f"{p.path} {p.message}" for p in errors)
    assert library.module("alpha") is not None or errors


@FEW
@given(form=st.sampled_from([
    ("/id/signup", ("username", "password", "confirm", "email"), False),
    ("/en/login", ("username", "password"), False),
    ("/id/join", ("code",), True),
    ("/en/classes", ("name", "school", "grade"), True),
]), values=st.lists(ODD_TEXT, min_size=4, max_size=4))
def test_any_text_in_a_form_gets_a_page_never_an_error(app, create_user, form, values):
    path, fields, signed_in = form
    with app.app_context():
        if db.session.scalar(sa.select(User.id).filter_by(username="guru-uji")) is None:
            create_user("guru-uji", role="teacher")
    client = app.test_client()
    if signed_in:
        client.post("/id/login", data={"username": "guru-uji", "password": PASSWORD})
    response = client.post(path, data=dict(zip(fields, values, strict=False)))
    assert response.status_code in (200, 302, 400, 413, 429), response.status_code
    with app.app_context():
        stored = [*db.session.scalars(sa.select(User.username)),
                  *[text for row in db.session.execute(sa.select(Classroom.name, Classroom.school, Classroom.grade))
                    for text in row]]
    assert not [text for text in stored if any(unicodedata.category(c) in ("Cc", "Cf") for c in text)]
