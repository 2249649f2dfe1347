"""The load and scale-out scripts (bench/load.py, bench/scale_out.py), with fewer learners, on this run's
database: SQLite, or PostgreSQL with SARING_TEST_POSTGRES. Each starts gunicorn."""

import os

import pytest
import sqlalchemy as sa

from bench import load, scale_out
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAnswer, QuizAttempt

pytestmark = pytest.mark.load
REDIS = scale_out.REDIS


def test_30_learners_at_once_lose_nothing(app, database_url, tmp_path):
    figures, problems = load.run(database_url, learners=30, workers=4, folder=tmp_path)
    assert problems == []
    assert figures["learners"] == 30 and figures["server_errors"] == 0 and figures["errors"] == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 30


def test_two_instances_share_sessions_limits_and_the_load(app, database_url, tmp_path):
    problem = scale_out.redis_problem(REDIS)
    if problem and os.environ.get("CI") == "true":
        pytest.fail(f"Redis is not reachable at {REDIS} ({problem}): CI has it")
    redis_url = None if problem else REDIS  # without Redis, the instances count together in the database
    figures, problems = scale_out.run(database_url, redis_url, learners=20, workers=2, folder=tmp_path)
    assert problems == []
    assert figures["learners"] == 20 and figures["server_errors"] == 0


def test_the_database_check_finds_a_lost_lesson_and_a_doubled_attempt(app):
    first, second = load.create_learners(app, 2)
    with app.app_context():
        quiz, _ = get_library().module(first.module_id).quiz.text(load.LANG)
        chosen = {f"q{position}": sorted(question.correct_ids) for position, question in
                  enumerate(quiz.questions, 1)}
        for learner, attempts in ((first, 1), (second, 2)):
            lessons = learner.lesson_ids if learner is first else learner.lesson_ids[1:]  # one lesson lost
            db.session.add_all(LessonProgress(user_id=learner.user_id, module_id=learner.module_id, lesson_id=lesson)
                               for lesson in lessons)
            learner_quiz, _ = get_library().module(learner.module_id).quiz.text(load.LANG)
            for number in range(attempts):
                db.session.add(QuizAttempt(
                    user_id=learner.user_id, module_id=learner.module_id, lang=load.LANG,
                    submission_key=f"{number:032x}", score=len(learner_quiz.questions),
                    total=len(learner_quiz.questions), percent=100, passed=True,
                    answers=[QuizAnswer(question_id=question.id, chosen=",".join(sorted(question.correct_ids)),
                                        correct=True) for question in learner_quiz.questions]))
        db.session.commit()
    journeys = [load.Journey(first, chosen=chosen), load.Journey(second)]
    problems = load.check_database(app, journeys)
    assert problems == [
        f"{second.username}: lesson progress "
        f"{sorted((second.module_id, lesson) for lesson in second.lesson_ids[1:])}, expected "
        f"{sorted((second.module_id, lesson) for lesson in second.lesson_ids)}",
        f"{second.username}: 2 quiz attempts, expected 1",
    ]
