"""The item report: figures from first attempts checked by hand, fixed queries, and `flask content report`."""

import itertools
import json
import math

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.content import get_library
from saring.editing.item_report import MIN_ATTEMPTS, NEGATIVE, TOO_EASY, TOO_HARD, item_report
from saring.extensions import db
from saring.learning import LessonProgress, LessonStart
from saring.quizzes import QuizAnswer, QuizAttempt, grade_attempt
from tests.conftest import make_app

# The sample quiz: pesan-atm (single, key b), tanda-hoaks (multiple, key a,b), kabar-resmi (true/false, key a).
# Five kinds of learner, each four times: right (1) or wrong (0) on the three questions
#   1,1,0   1,1,0   1,0,0   0,0,1   0,0,0
KINDS = [
    {"pesan-atm": "b", "tanda-hoaks": "a,b", "kabar-resmi": "b"},
    {"pesan-atm": "b", "tanda-hoaks": "a,b", "kabar-resmi": "b"},
    {"pesan-atm": "b", "tanda-hoaks": "a,c", "kabar-resmi": "b"},
    {"pesan-atm": "c", "tanda-hoaks": "a", "kabar-resmi": "a"},  # "a" alone misses b, but chose nothing wrong
    {"pesan-atm": "c", "tanda-hoaks": "c", "kabar-resmi": "b"},
]
ALL_RIGHT = {"pesan-atm": "b", "tanda-hoaks": "a,b", "kabar-resmi": "a"}
numbers = itertools.count()


@pytest.fixture
def library(app, use_content, sample_copy):
    """The good sample tree, its quiz cut to its first three questions: module alpha, lessons first and second."""
    for lang in ("id", "en"):
        quiz = sample_copy / f"quizzes/alpha.{lang}.md"
        quiz.write_text("\n## ".join(quiz.read_text().split("\n## ")[:4]) + "\n")
    use_content(sample_copy)
    with app.app_context():
        return get_library()


def learners_sit(app, library, sittings, module_id="alpha"):
    """A new learner for each entry of `sittings`, a list of their attempts in order; returns their ids."""
    quiz = library.module(module_id).quiz.texts["en"]
    ids = []
    with app.app_context():
        for attempts in sittings:
            number = next(numbers)
            user = User(username=f"murid{number:04}", password_hash="x")
            db.session.add(user)
            db.session.flush()
            for turn, chosen in enumerate(attempts):
                grade = grade_attempt(quiz, {q: frozenset(c.split(",")) for q, c in chosen.items()})
                db.session.add(QuizAttempt(
                    user_id=user.id, module_id=module_id, lang="en", submission_key=f"{number:016}{turn:016}",
                    score=grade.score, total=grade.total, percent=grade.percent, passed=grade.passed,
                    answers=[QuizAnswer(question_id=r.question.id, chosen=",".join(sorted(r.chosen)), correct=r.correct)
                             for r in grade.results]))
                db.session.flush()  # attempts get their ids in the order they were taken
            ids.append(user.id)
        db.session.commit()
    return ids


def finish(app, user_ids, module_id, lesson_id, row=LessonProgress):
    """Mark a lesson done for these learners (row=LessonStart: they opened it, as the lesson page records)."""
    with app.app_context():
        db.session.add_all(row(user_id=user_id, module_id=module_id, lesson_id=lesson_id) for user_id in user_ids)
        db.session.commit()


def open_lesson(app, user_ids, module_id, lesson_id):
    finish(app, user_ids, module_id, lesson_id, LessonStart)


def report_of(app, library):
    """The item report and the number of statements it sent to the database."""
    statements = []
    with app.app_context():
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            report = item_report(library)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
    return report, len(statements)


def questions_of(report, module_id="alpha"):
    module = next(m for m in report.modules if m.module_id == module_id)
    return {q.question_id: q for q in module.questions}


def test_figures_from_first_attempts_match_a_hand_count(app, library):
    # every learner comes back and gets everything right: only the first attempt counts
    learners_sit(app, library, [[kind, ALL_RIGHT] for kind in KINDS * 4])
    atm, tanda, resmi = questions_of(report_of(app, library)[0]).values()

    assert (atm.number, atm.type, atm.key, atm.attempts, atm.right, atm.share_right) == (1, "single", "b", 20, 12, 60)
    assert (tanda.key, tanda.right, tanda.share_right, resmi.right, resmi.share_right) == ("a,b", 8, 40, 4, 20)
    # corrected item-total: each question against the score on the other two. For pesan-atm, right
    # x = 1,1,1,0,0 and rest y = 1,1,0,1,0 (four times over, which leaves a correlation as it is):
    # (5·2 - 3·3) / sqrt((5·3 - 3²)(5·3 - 3²)) = 1/6
    assert atm.discrimination == pytest.approx(1 / 6)
    assert tanda.discrimination == pytest.approx(2 / math.sqrt(24))  # x = 1,1,0,0,0; y = 1,1,1,1,0
    assert resmi.discrimination == pytest.approx(-5 / math.sqrt(80))  # x = 0,0,0,1,0; y = 2,2,1,0,0

    # each wrong option on its own: "a,c" on tanda-hoaks counts c, and "a" alone counts nothing
    assert (atm.wrong_option, atm.wrong_count) == ("c", 8)
    assert (tanda.wrong_option, tanda.wrong_count) == ("c", 8)
    assert (resmi.wrong_option, resmi.wrong_count) == ("b", 16)
    assert (atm.flags, tanda.flags, resmi.flags) == ((), (), (TOO_HARD, NEGATIVE))


def test_below_the_minimum_of_attempts_there_are_counts_but_no_discrimination_or_flags(app, library):
    learners_sit(app, library, [[kind] for kind in KINDS * 4][1:])  # 19 learners
    resmi = questions_of(report_of(app, library)[0])["kabar-resmi"]
    assert MIN_ATTEMPTS == 20
    assert (resmi.attempts, resmi.right, resmi.share_right, resmi.wrong_option) == (19, 4, 21, "b")
    assert (resmi.enough, resmi.discrimination, resmi.flags) == (False, None, ())


@pytest.mark.parametrize(("right_on_resmi", "flagged"), [(5, True), (6, False)])
def test_too_easy_over_90_percent_and_too_hard_under_30(app, library, right_on_resmi, flagged):
    # pesan-atm: 19 of 20 right (95%); tanda-hoaks: 18 of 20 (90%, not over it); kabar-resmi: 25% or 30%
    learners_sit(app, library, [[{"pesan-atm": "a" if n < 1 else "b", "tanda-hoaks": "c" if n < 2 else "a,b",
                                  "kabar-resmi": "a" if n < right_on_resmi else "b"}] for n in range(20)])
    atm, tanda, resmi = questions_of(report_of(app, library)[0]).values()
    assert TOO_EASY in atm.flags and TOO_EASY not in tanda.flags
    assert (TOO_HARD in resmi.flags) is flagged
    assert resmi.share_right == 5 * right_on_resmi


def test_no_discrimination_when_everyone_is_right(app, library):
    learners_sit(app, library, [[ALL_RIGHT]] * 20)
    atm = questions_of(report_of(app, library)[0])["pesan-atm"]
    assert (atm.share_right, atm.discrimination, atm.wrong_option, atm.wrong_count) == (100, None, None, 0)
    assert atm.flags == (TOO_EASY,)


def test_a_tie_between_wrong_options_goes_to_the_first_letter(app, library):
    learners_sit(app, library, [[{**ALL_RIGHT, "pesan-atm": chosen}] for chosen in "cacab"])
    atm = questions_of(report_of(app, library)[0])["pesan-atm"]
    assert (atm.wrong_option, atm.wrong_count) == ("a", 2)


def test_removed_questions_and_other_modules_are_left_out(app, library):
    [learner] = learners_sit(app, library, [[]])
    with app.app_context():
        # graded when the quiz still had another question; and a module the content no longer has
        db.session.add(QuizAttempt(user_id=learner, module_id="alpha", lang="en", submission_key="e" * 32,
                                   score=1, total=2, percent=50, passed=False,
                                   answers=[QuizAnswer(question_id="pesan-atm", chosen="b", correct=True),
                                            QuizAnswer(question_id="pertanyaan-lama", chosen="a", correct=False)]))
        db.session.add(QuizAttempt(user_id=learner, module_id="modul-lain", lang="id", submission_key="f" * 32,
                                   score=1, total=1, percent=100, passed=True,
                                   answers=[QuizAnswer(question_id="pesan-atm", chosen="a", correct=True)]))
        db.session.commit()
    report = report_of(app, library)[0]
    assert [m.module_id for m in report.modules] == ["alpha"]
    assert list(questions_of(report)) == ["pesan-atm", "tanda-hoaks", "kabar-resmi"]
    assert (questions_of(report)["pesan-atm"].attempts, report.modules[0].quiz_takers) == (1, 1)


def test_lessons_started_and_finished(app, library):
    learners = learners_sit(app, library, [[]] * 7)  # seven learners, no attempt yet
    open_lesson(app, learners, "alpha", "first")
    finish(app, learners[:5], "alpha", "first")  # two opened the first lesson and stopped
    open_lesson(app, learners[3:], "alpha", "second")
    finish(app, learners[3:6], "alpha", "second")  # the sixth and seventh skipped ahead; the seventh stopped
    open_lesson(app, learners[:2], "alpha", "removed-lesson")
    finish(app, learners[:2], "alpha", "removed-lesson")
    open_lesson(app, learners, "modul-lain", "first")
    learners_sit(app, library, [[KINDS[0]]])  # a quiz taker who read nothing
    [alpha] = report_of(app, library)[0].modules
    first, second = alpha.lessons
    assert (first.number, first.lesson_id, first.started, first.finished) == (1, "first", 7, 5)
    assert (second.number, second.lesson_id, second.started, second.finished) == (2, "second", 4, 3)
    assert first.titles == {"id": "Pelajaran pertama", "en": "First lesson"}
    assert (alpha.quiz_reached, alpha.quiz_takers) == (3, 1)


def test_an_empty_database_gives_empty_figures(app, library):
    report, _ = report_of(app, library)
    assert not report.has_data
    [alpha] = report.modules
    assert [(q.attempts, q.share_right, q.discrimination, q.flags) for q in alpha.questions] \
        == [(0, None, None, ())] * 3
    assert [(lesson.started, lesson.finished) for lesson in alpha.lessons] == [(0, 0), (0, 0)]


def test_the_number_of_queries_is_fixed(app, library, database_url):
    with make_app(database_url).app_context():
        many_modules = get_library()  # the shipped content
        db.engine.dispose()  # its connection closes now, not whenever it is collected
    assert len(many_modules.modules) > 1
    empty = report_of(app, library)[1]
    learners_sit(app, library, [[kind] for kind in KINDS[:2]])
    two = report_of(app, library)[1]
    twenty = learners_sit(app, library, [[kind, ALL_RIGHT] for kind in KINDS * 4][:18])
    open_lesson(app, twenty, "alpha", "second")
    finish(app, twenty, "alpha", "first")
    assert empty == two == report_of(app, library)[1] == report_of(app, many_modules)[1] == 3


def test_the_report_command_prints_the_items_after_the_content(app, library):
    learners = learners_sit(app, library, [[kind, ALL_RIGHT] for kind in KINDS * 4])
    open_lesson(app, learners[:9], "alpha", "first")
    finish(app, learners[:7], "alpha", "first")
    open_lesson(app, learners[:2], "alpha", "second")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "report"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("alpha:")
    assert lines[start - 1].startswith("item report: first attempts only; discrimination and flags from 20 attempts")
    assert lines.index("  missing: nothing") < start
    assert lines[start + 1:] == [
        "  lesson                           started  finished",
        "   1 first                               9         7",
        "   2 second                              2         0",
        "  quiz: 0 finished the last lesson, 20 took it",
        "  question                         attempts  right  discrimination  most chosen wrong  flags",
        "   1 pesan-atm                           20    60%            0.17  c (8)              -",
        "   2 tanda-hoaks                         20    40%            0.41  c (8)              -",
        "   3 kabar-resmi                         20    20%           -0.56  b (16)             "
        "too-hard, negative-discrimination",
    ]
    as_json = json.loads(runner.invoke(args=["content", "report", "--json"]).output)
    [alpha] = as_json["items"]["modules"]
    assert alpha["questions"][2] == {
        "number": 3, "question_id": "kabar-resmi", "type": "truefalse", "key": "a", "attempts": 20, "right": 4,
        "share_right": 20, "discrimination": pytest.approx(-5 / math.sqrt(80)), "wrong_option": "b",
        "wrong_count": 16, "flags": [TOO_HARD, NEGATIVE]}
    assert (alpha["lessons"][0]["started"], alpha["lessons"][0]["finished"]) == (9, 7)
    assert as_json["items"]["min_attempts"] == 20


def test_the_report_command_without_a_database_still_reports_the_content(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["content", "report", "--json"])
    assert result.exit_code == 0
    assert "no item report: the database cannot be read (no such table" in result.stderr
    assert "items" not in json.loads(result.stdout)
