"""The pass mark at its boundary: a ten-question quiz passed with 70%, and answers right or wrong by choice."""

import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from saring.content import load_library
from saring.quizzes import grade_attempt
from tests.conftest import PASSWORD, hidden_fields

QUESTION = """## soal-{n}
type: single
tags: sift-stop

Pesan nomor {n}: apa yang kamu lakukan?

!!! whatsapp "Grup Kelas"
    **Dina:** Pesan nomor {n}.

- [x] Cek dulu sumbernya.
    Benar: cek dulu.
- [ ] Langsung teruskan.
    Belum tepat: cek dulu.
"""


@pytest.fixture
def ten(sample_copy, use_content):
    """The good sample, its quiz replaced by ten single-answer questions with a pass mark of 70%."""
    for lang in ("id", "en"):
        questions = "\n".join(QUESTION.format(n=n) for n in range(1, 11))
        (sample_copy / f"quizzes/alpha.{lang}.md").write_text(f"---\npass_mark: 70\n---\n\n{questions}")
    use_content(sample_copy)
    return load_library(sample_copy / "lessons", sample_copy / "quizzes").module("alpha").quiz.texts["en"]


def answers(quiz, right: int) -> dict:
    """The first `right` questions answered right, the others wrong."""
    return {q.id: frozenset("a" if n < right else "b") for n, q in enumerate(quiz.questions)}


@pytest.mark.parametrize(("right", "passed"), [(10, True), (7, True), (6, False), (0, False)])
def test_seven_of_ten_passes_a_pass_mark_of_70_and_six_does_not(ten, right, passed):
    grade = grade_attempt(ten, answers(ten, right))
    assert (grade.score, grade.total, grade.percent, grade.passed) == (right, 10, right * 10, passed)


@pytest.mark.parametrize(("right", "verdict"), [(7, "You passed!"), (6, "Not passed yet")])
def test_a_learner_with_seven_right_is_told_they_passed_and_with_six_not(client, create_user, ten, right, verdict):
    create_user("dina", locale="en")
    client.post("/en/login", data={"username": "dina", "password": PASSWORD})
    form = client.get("/en/modules/alpha/quiz").text
    fields = sorted(set(re.findall(r'name="(q\d+)"', form)), key=lambda name: int(name[1:]))
    data = {**hidden_fields(form), **{name: "a" if n < right else "b" for n, name in enumerate(fields)}}
    result = client.get(client.post("/en/modules/alpha/quiz", data=data).headers["Location"]).text
    assert verdict in result and f"{right} of 10 questions right." in result


SHIPPED = load_library("lessons", "quizzes")
QUIZZES = [module.quiz.texts[lang] for module in SHIPPED.modules if module.quiz for lang in ("id", "en")]


@st.composite
def right_or_wrong(draw):
    """A shipped quiz, and for each question whether it is answered right (its key) or wrong (another option)."""
    quiz = draw(st.sampled_from(QUIZZES))
    right = draw(st.lists(st.booleans(), min_size=len(quiz.questions), max_size=len(quiz.questions)))
    chosen = {}
    for question, is_right in zip(quiz.questions, right, strict=True):
        wrong = next(frozenset(o.id) for o in question.options if frozenset(o.id) != question.correct_ids)
        chosen[question.id] = question.correct_ids if is_right else wrong
    return quiz, chosen, sum(right)


@given(right_or_wrong())
def test_any_mix_of_right_and_wrong_passes_exactly_from_the_pass_mark(case):
    quiz, chosen, right = case
    grade = grade_attempt(quiz, chosen)
    needed = -(-quiz.pass_mark * len(quiz.questions) // 100)  # the fewest right answers that reach the mark
    event("passed" if right >= needed else "not passed")
    event("exactly the fewest right answers that pass" if right == needed else "another score")
    assert grade.score == right
    assert grade.passed == (right >= needed)
