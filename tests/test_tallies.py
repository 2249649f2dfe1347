"""The item report's tallies: kept exact by every write, whatever the order, and equal to a full recount."""

import random
import re
import threading
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saring.accounts import User
from saring.classes import Classroom, Membership
from saring.config import PROJECT_ROOT
from saring.content import load_library
from saring.editing.tallies import (
    ChoiceTally,
    FirstAttempt,
    LessonStartTally,
    LessonTally,
    QuestionTally,
    QuizTally,
    recount,
)
from saring.extensions import db
from saring.learning import LessonProgress, LessonStart
from saring.privacy import delete_everything_of
from saring.quizzes import QuizAnswer, QuizAttempt, grade_attempt
from tests.conftest import PASSWORD, hidden_fields

LIBRARY = load_library(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
MODULES = [module for module in LIBRARY.modules if module.quiz][:2]
TABLES = (FirstAttempt, QuizTally, QuestionTally, ChoiceTally, LessonTally, LessonStartTally)
QUIZ = "/id/modules/hoaks/quiz"


def tallies():
    """Every row of the tallies, by table, sorted here (collations differ)."""
    found = {}
    for model in TABLES:
        table = model.__table__
        found[table.name] = sorted(tuple(row) for row in db.session.execute(sa.select(table)))
    return found


def recounted():
    """The tallies as `recount` rebuilds them from the raw tables (rolled back afterwards)."""
    db.session.commit()
    recount(db.session.connection())
    rebuilt = tallies()
    db.session.rollback()
    return rebuilt


def counted_by_hand():
    """The tallies computed here from the raw rows, without SQL sums: each learner's earliest attempt counts."""
    attempts = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id)).all()
    first = {}
    for attempt in attempts:
        first.setdefault((attempt.user_id, attempt.module_id), attempt)
    takers, questions, choices = Counter(), {}, Counter()
    for attempt in first.values():
        takers[attempt.module_id] += 1
        for answer in attempt.answers:
            right = int(answer.correct)
            rest = attempt.score - right
            sums = questions.setdefault((attempt.module_id, answer.question_id), [0] * 5)
            for position, value in enumerate((1, right, rest, right * rest, rest * rest)):
                sums[position] += value
            choices[attempt.module_id, answer.question_id, answer.chosen] += 1
    lessons = Counter(db.session.execute(sa.select(LessonProgress.module_id, LessonProgress.lesson_id)).all())
    starts = Counter(db.session.execute(sa.select(LessonStart.module_id, LessonStart.lesson_id)).all())
    return {
        "first_attempts": sorted((user_id, module_id, attempt.id) for (user_id, module_id), attempt in first.items()),
        "quiz_tallies": sorted(takers.items()),
        "question_tallies": sorted((*key, *sums) for key, sums in questions.items()),
        "choice_tallies": sorted((*key, count) for key, count in choices.items()),
        "lesson_tallies": sorted((*key, count) for key, count in lessons.items()),
        "lesson_start_tallies": sorted((*key, count) for key, count in starts.items()),
    }


def sit(user_id, module, rng):
    """An attempt as save_attempt stores it, with random answers to the module's quiz."""
    quiz = module.quiz.texts["id"]
    chosen = {q.id: frozenset(rng.sample([o.id for o in q.options], rng.randint(1, 2 if q.type == "multiple" else 1)))
              for q in quiz.questions}
    grade = grade_attempt(quiz, chosen)
    return QuizAttempt(user_id=user_id, module_id=module.id, lang="id", submission_key=uuid.uuid4().hex,
                       score=grade.score, total=grade.total, percent=grade.percent, passed=grade.passed,
                       answers=[QuizAnswer(question_id=r.question.id, chosen=",".join(sorted(r.chosen)),
                                           correct=r.correct) for r in grade.results])


def empty_tables():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


LEARNER = st.integers(0, 3)
MODULE = st.integers(0, len(MODULES) - 1)
STEPS = st.lists(st.one_of(
    st.tuples(st.just("attempt"), LEARNER, MODULE, st.integers(0, 2 ** 32)),
    st.tuples(st.just("two at once"), LEARNER, MODULE, st.integers(0, 2 ** 32)),  # two attempts in one flush
    st.tuples(st.just("lesson"), LEARNER, MODULE, st.integers(0, 20)),
    st.tuples(st.just("open lesson"), LEARNER, MODULE, st.integers(0, 20)),
    st.tuples(st.just("delete account"), LEARNER),  # as privacy does: the rows, then the account
    st.tuples(st.just("delete the account alone"), LEARNER),  # its rows go by ON DELETE CASCADE
    st.tuples(st.just("delete first attempt"), LEARNER, MODULE),  # the next one becomes the first
    st.tuples(st.just("delete lesson"), LEARNER, MODULE),
), max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_order_of_saves_lessons_and_deletions_leaves_the_tallies_equal_to_a_recount(app, steps):
    with app.app_context():
        empty_tables()
        learners: dict[int, int] = {}  # a deleted learner's place goes to a new account
        for number, step in enumerate(steps):
            kind, learner = step[0], step[1]
            if learner not in learners:
                user = User(username=f"murid{number}", password_hash="x")
                db.session.add(user)
                db.session.flush()
                learners[learner] = user.id
            user_id = learners[learner]
            if kind in ("attempt", "two at once"):
                rng = random.Random(step[3])
                db.session.add_all([sit(user_id, MODULES[step[2]], rng) for _ in range(1 + (kind == "two at once"))])
            elif kind in ("lesson", "open lesson"):
                model = LessonProgress if kind == "lesson" else LessonStart
                module = MODULES[step[2]]
                lesson_id = module.lessons[step[3] % len(module.lessons)].id
                if db.session.scalar(sa.select(model.id).filter_by(user_id=user_id, module_id=module.id,
                                                                   lesson_id=lesson_id)) is None:
                    db.session.add(model(user_id=user_id, module_id=module.id, lesson_id=lesson_id))
            elif kind in ("delete account", "delete the account alone"):
                user = db.session.get(User, user_id)
                if kind == "delete account":
                    delete_everything_of(user)
                else:
                    db.session.delete(user)
                del learners[learner]
            elif kind == "delete first attempt":
                first = db.session.scalar(sa.select(QuizAttempt).order_by(QuizAttempt.id)
                                          .filter_by(user_id=user_id, module_id=MODULES[step[2]].id))
                if first is not None:
                    db.session.delete(first)
            else:
                done = db.session.scalar(sa.select(LessonProgress).filter_by(user_id=user_id,
                                                                             module_id=MODULES[step[2]].id))
                if done is not None:
                    db.session.delete(done)
            db.session.commit()
            assert tallies() == counted_by_hand(), f"after step {number}: {step}"

        kept = tallies()
        assert kept == recounted()
        assert all(value >= 0 for rows in kept.values() for row in rows for value in row if isinstance(value, int))


def quiz_form(client, pick=0):
    """The quiz's hidden fields, and option number `pick` (0: the first) of every question."""
    form = client.get(QUIZ).text
    data = hidden_fields(form)
    for name in set(re.findall(r'name="(q\d+)"', form)):
        data[name] = re.findall(rf'name="{name}" value="(\w)"', form)[pick]
    return data


def first_attempt_ids(app):
    with app.app_context():
        return db.session.execute(sa.select(FirstAttempt.user_id, FirstAttempt.attempt_id)).all()


def test_a_learners_first_quiz_counts_once_and_later_ones_and_resends_never(app, client, login_as):
    user_id = login_as("learner")
    first = quiz_form(client)
    location = client.post(QUIZ, data=first).headers["Location"]
    assert client.post(QUIZ, data=first).headers["Location"] == location  # sent again: the same attempt
    client.post(QUIZ, data=quiz_form(client, pick=1))  # a second attempt
    attempt_id = int(location.rsplit("/", 1)[1])
    assert first_attempt_ids(app) == [(user_id, attempt_id)]
    with app.app_context():
        assert tallies()["quiz_tallies"] == [("hoaks", 1)]
        questions = tallies()["question_tallies"]
        assert len(questions) == len(LIBRARY.module("hoaks").quiz.texts["id"].questions)
        assert {row[2] for row in questions} == {1}
        assert tallies() == recounted() == counted_by_hand()


def test_a_lesson_marked_done_twice_counts_once(app, client, login_as):
    login_as("learner")
    lesson = LIBRARY.module("hoaks").lessons[0]
    for _ in range(2):
        assert client.post(f"/id/modules/hoaks/{lesson.id}/done").status_code == 302
    with app.app_context():
        assert tallies()["lesson_tallies"] == [("hoaks", lesson.id, 1)]


def test_opening_a_lesson_counts_once_and_marking_one_done_counts_it_opened(app, client, login_as):
    login_as("learner")
    first, second = LIBRARY.module("hoaks").lessons[:2]
    for _ in range(2):
        assert client.get(f"/id/modules/hoaks/{first.id}").status_code == 200
    client.post(f"/id/modules/hoaks/{second.id}/done")  # from a copy saved for offline: never opened online
    with app.app_context():
        assert tallies()["lesson_start_tallies"] == sorted([("hoaks", first.id, 1), ("hoaks", second.id, 1)])
        assert tallies() == recounted() == counted_by_hand()


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_BYTES": 1_000_000}])
def test_a_lesson_saved_for_offline_counts_as_opened_when_the_learner_opens_it(app, client, login_as):
    """Saving a module for offline fetches its lessons (not a navigation): that is not opening them, and the
    page it fetched is not kept, so opening the lesson later runs the view that counts it."""
    login_as("learner")
    lesson = LIBRARY.module("hoaks").lessons[2]
    address = f"/id/modules/hoaks/{lesson.id}"
    for _ in range(2):
        assert client.get(address, headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}).status_code == 200
    with app.app_context():
        assert tallies()["lesson_start_tallies"] == []
    for _ in range(2):
        client.get(address, headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
    with app.app_context():
        assert tallies()["lesson_start_tallies"] == [("hoaks", lesson.id, 1)]


def test_a_visitor_opening_a_lesson_is_not_counted(app, client):
    assert client.get(f"/id/modules/hoaks/{LIBRARY.module('hoaks').lessons[0].id}").status_code == 200
    with app.app_context():
        assert tallies()["lesson_start_tallies"] == []


def test_deleting_an_account_takes_its_rows_out_and_leaves_no_empty_tally(app, client, login_as, create_user):
    other = create_user("budi")
    with app.app_context():
        db.session.add(sit(other, LIBRARY.module("hoaks"), random.Random(1)))
        db.session.commit()
        budi = tallies()
    login_as("learner")
    client.post(QUIZ, data=quiz_form(client, pick=1))
    for lesson in LIBRARY.module("hoaks").lessons[:2]:
        client.get(f"/id/modules/hoaks/{lesson.id}")
        client.post(f"/id/modules/hoaks/{lesson.id}/done")
    client.get(f"/id/modules/hoaks/{LIBRARY.module('hoaks').lessons[2].id}")
    with app.app_context():
        assert tallies()["quiz_tallies"] == [("hoaks", 2)]
        assert len(tallies()["lesson_start_tallies"]) == 3
    assert client.post("/id/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        assert tallies() == budi  # every choice and lesson only ani counted went with her
        assert budi["lesson_tallies"] == budi["lesson_start_tallies"] == []


def test_a_teacher_removing_a_learner_from_the_class_keeps_their_figures(app, client, create_user, login_as):
    learner = create_user("budi")
    with app.app_context():
        db.session.add(sit(learner, LIBRARY.module("hoaks"), random.Random(2)))
        db.session.commit()
        before = tallies()
    teacher = login_as("teacher", username="bu-sari")
    with app.app_context():
        classroom = Classroom(teacher_id=teacher, name="8B", join_code="ABCDEF")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(Membership(classroom_id=classroom.id, user_id=learner, created_here=True))
        db.session.commit()
        class_id = classroom.id
    assert client.post(f"/id/classes/{class_id}/learners/{learner}/remove").status_code == 302
    with app.app_context():
        assert tallies() == before


def test_two_first_attempts_sent_at_once_count_once(app, create_user):
    """Two devices: the second's claim waits for the first's commit (PostgreSQL) or its write waits for the
    first's lock (SQLite), then finds the place taken."""
    user_id = create_user("ani")
    flushed, done = threading.Event(), {}

    def device(name, seed):
        with app.app_context():
            if name == "second":
                flushed.wait(5)
            attempt = sit(user_id, LIBRARY.module("hoaks"), random.Random(seed))
            db.session.add(attempt)
            db.session.flush()
            if name == "first":
                flushed.set()
                time.sleep(0.3)  # the second device's flush is waiting meanwhile
            db.session.commit()
            done[name] = attempt.id

    threads = [threading.Thread(target=device, args=(name, seed)) for seed, name in enumerate(("first", "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert first_attempt_ids(app) == [(user_id, done["first"])]
    with app.app_context():
        assert tallies()["quiz_tallies"] == [("hoaks", 1)]
        assert tallies() == recounted() == counted_by_hand()


def test_a_saved_answer_is_never_changed_through_the_orm(app, client, login_as):
    login_as("learner")
    client.post(QUIZ, data=quiz_form(client))
    with app.app_context():
        answer = db.session.scalar(sa.select(QuizAnswer))
        answer.chosen = "d"
        with pytest.raises(RuntimeError, match="never changed"):
            db.session.commit()


def test_the_recount_command_counts_rows_written_around_the_orm(app, runner, create_user):
    user_id = create_user("ani")
    with app.app_context():
        attempt = sit(user_id, LIBRARY.module("hoaks"), random.Random(3))
        db.session.execute(sa.insert(QuizAttempt).values(
            id=7, user_id=user_id, module_id="hoaks", lang="id", submission_key="a" * 32, score=attempt.score,
            total=attempt.total, percent=attempt.percent, passed=attempt.passed))
        db.session.execute(sa.insert(QuizAnswer), [
            {"attempt_id": 7, "question_id": a.question_id, "chosen": a.chosen, "correct": a.correct}
            for a in attempt.answers])
        db.session.execute(sa.insert(LessonProgress).values(user_id=user_id, module_id="hoaks", lesson_id="x"))
        db.session.execute(sa.insert(LessonStart).values(user_id=user_id, module_id="hoaks", lesson_id="x"))
        db.session.commit()
        assert tallies()["first_attempts"] == []
    result = runner.invoke(args=["content", "recount"])
    assert result.exit_code == 0, result.output
    assert "from 1 first attempts (at 1 quizzes), 1 opened lessons and 1 finished lessons" in result.output
    with app.app_context():
        assert tallies() == counted_by_hand()
        assert tallies()["first_attempts"] == [(user_id, "hoaks", 7)]
