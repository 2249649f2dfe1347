"""The class report, a learner's detail, item analysis and CSV: right figures, few queries."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.classes import Assignment, Classroom, Membership
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAnswer, QuizAttempt

START = datetime(2026, 11, 1, 8, 0)


def fill_class(app, teacher_id, learners, names=None):
    """A class of `learners` learners assigned hoaks and cek-fakta, with progress and quiz attempts."""
    with app.app_context():
        hoaks = get_library().module("hoaks")
        quiz = hoaks.quiz.texts["id"]
        classroom = Classroom(teacher_id=teacher_id, name="8B", join_code=f"C{learners:05}"[-6:],
                              assignments=[Assignment(module_id="hoaks"), Assignment(module_id="cek-fakta")])
        db.session.add(classroom)
        for n in range(learners):
            user = User(username=f"murid{learners}x{n:02}", display_name=(names or {}).get(n, f"Murid {n:02}"),
                        password_hash="x")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(classroom_id=classroom.id, user_id=user.id))
            for lesson in hoaks.lessons[: n % 5]:
                db.session.add(LessonProgress(user_id=user.id, module_id="hoaks", lesson_id=lesson.id,
                                              completed_at=START + timedelta(hours=n)))
            if n % 2 == 0:  # half took the quiz: first attempt all wrong-first-option, second all right
                for attempt_number, right in enumerate((False, True)):
                    answers = [QuizAnswer(question_id=q.id, correct=right,
                                          chosen=",".join(sorted(q.correct_ids)) if right else
                                          next(o.id for o in q.options if not o.correct)) for q in quiz.questions]
                    db.session.add(QuizAttempt(user_id=user.id, module_id="hoaks", lang="id", answers=answers,
                                               submission_key=f"{user.id:16}{attempt_number:16}".replace(" ", "0"),
                                               score=len(answers) * right, total=len(answers),
                                               percent=100 * right, passed=right,
                                               created_at=START + timedelta(days=1, hours=n)))
        db.session.commit()
        return classroom.id


@pytest.fixture
def teacher(client, login_as):
    return login_as("teacher", username="bu-sari")


def count_queries(app, client, path):
    """The statements one request sends, counting the published-content poll in every request.

    The poll runs at most once a second, so without this a request that happens to fall on it sends one
    statement more than its neighbour (and the comparison below fails by chance)."""
    statements = []
    with app.app_context():
        engine = db.engine
    app.extensions["saring.content"]._next_poll = 0
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_the_report_loads_in_a_fixed_number_of_queries(app, client, teacher):
    small, large = fill_class(app, teacher, 5), fill_class(app, teacher, 45)
    for page in ("report", "report.csv", "modules/hoaks/items", "modules/hoaks/items.csv"):
        queries = count_queries(app, client, f"/id/classes/{large}/{page}")
        assert queries == count_queries(app, client, f"/id/classes/{small}/{page}"), page
        assert queries <= 9, page  # the poll, the signed-in teacher (2), the class (2), its learners (4)


def test_the_report_shows_each_learner_and_sorts(app, client, teacher):
    class_id = fill_class(app, teacher, 6)
    page = client.get(f"/en/classes/{class_id}/report").text
    rows = re.findall(r'<th scope="row"><a [^>]*>(.*?)</a></th>(.*?)</tr>', page, re.S)
    assert [name for name, _ in rows] == [f"Murid {n:02}" for n in range(6)]
    cells = dict(rows)
    assert bars(cells["Murid 00"])[0][2] == "0/4" and "</span></span> · 100%" in cells["Murid 00"]
    assert "Passed" in cells["Murid 00"]
    assert bars(cells["Murid 03"])[0][2] == "3/4" and "%" not in cells["Murid 03"].split("</td>")[0]
    by_hoaks = client.get(f"/en/classes/{class_id}/report?sort=hoaks&order=desc").text
    names = re.findall(r'<th scope="row"><a [^>]*>(.*?)</a>', by_hoaks)
    assert names[:3] == ["Murid 04", "Murid 02", "Murid 00"]  # passed, then most lessons
    assert client.get(f"/en/classes/{class_id}/report?sort=nonsense").status_code == 200


def test_the_csv_matches_the_screen_and_opens_in_excel(app, client, teacher):
    class_id = fill_class(app, teacher, 3, names={0: "=HYPERLINK(\"http://x\")", 1: "Siti Nur'aini"})
    response = client.get(f"/en/classes/{class_id}/report.csv")
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Username", "Last active", "Understanding hoaxes: lessons done"]
    by_name = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in by_name and "Siti Nur'aini" in by_name
    assert by_name["Siti Nur'aini"][3:7] == ["1", "4", "", "no"]
    assert ',1,4,,no,' in response.data.decode("utf-8-sig")  # numbers unquoted, as numbers


def test_item_analysis_from_first_attempts(app, client, teacher):
    class_id = fill_class(app, teacher, 4)
    with app.app_context():
        questions = get_library().module("hoaks").quiz.texts["en"].questions
        question = questions[0]
        wrong = next(o for o in question.options if not o.correct)
    page = client.get(f"/en/classes/{class_id}/modules/hoaks/items").text
    assert "From the first attempts of 2 learners of 8B." in page
    assert page.count("0% right") == len(questions)  # everyone's first attempt was wrong on every question
    assert f"Most chosen wrong answer (2 learners): <strong>{wrong.html}</strong>" in page
    assert "Skills, weakest first" in page and "0 of 2 answers right" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/en/classes/{class_id}/modules/hoaks/items.csv")
                                       .data.decode("utf-8-sig"))))
    assert rows[0] == ["Question", "Question id", "Question text", "Answered", "Right", "Share right (percent)",
                       "Most chosen wrong answer", "Chosen by"]
    assert rows[1][:2] == ["1", question.id] and rows[1][3:6] == ["2", "0", "0"] and rows[1][7] == "2"


def test_a_learners_detail_and_what_is_not_theirs(app, client, teacher, create_user):
    class_id = fill_class(app, teacher, 2)
    with app.app_context():
        member = db.session.scalar(sa.select(Membership.user_id).filter_by(classroom_id=class_id).limit(1))
    page = client.get(f"/en/classes/{class_id}/learners/{member}").text
    assert "Murid 00" in page and "Quiz attempts:" in page
    outsider = create_user("orang-lain")
    assert client.get(f"/en/classes/{class_id}/learners/{outsider}").status_code == 404
    assert client.get(f"/en/classes/{class_id}/modules/bijak-bermedia/items").status_code == 404
    assert client.get(f"/en/classes/{class_id}/modules/tidak-ada/items.csv").status_code == 404


def test_a_learner_joining_while_the_report_loads_waits_for_the_next_load(app, client, teacher):
    class_id = fill_class(app, teacher, 2)
    with app.app_context():
        engine = db.engine
    joined = []

    def join_now(_connection, _cursor, statement, *_args):
        if not joined and "JOIN memberships" in statement and "FROM users" in statement:
            joined.append(True)
            with engine.begin() as other:
                user_id = other.execute(sa.insert(User).values(username="baru", password_hash="x",
                                                               locale="id", created_at=START)).inserted_primary_key[0]
                other.execute(sa.insert(Membership).values(classroom_id=class_id, user_id=user_id, joined_at=START))
                other.execute(sa.insert(LessonProgress).values(user_id=user_id, module_id="hoaks",
                                                               lesson_id="jenis-misinformasi", completed_at=START))

    sa.event.listen(engine, "after_cursor_execute", join_now)
    try:
        response = client.get(f"/id/classes/{class_id}/report")
    finally:
        sa.event.remove(engine, "after_cursor_execute", join_now)
    assert joined and response.status_code == 200
    assert "baru" not in response.text
    assert "baru" in client.get(f"/id/classes/{class_id}/report").text


def test_the_most_chosen_wrong_option_is_never_a_right_one(app, client, teacher):
    class_id = fill_class(app, teacher, 0)
    with app.app_context():
        question = next(q for q in get_library().module("hoaks").quiz.texts["en"].questions if q.type == "multiple")
        right, wrong = sorted(question.correct_ids), [o.id for o in question.options if not o.correct]
        choices = [right[:1], right[:1], [right[0], wrong[0]], [right[-1], wrong[0]], [wrong[-1]]]
        for number, chosen in enumerate(choices):
            user = User(username=f"pilih{number}", password_hash="x")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(classroom_id=class_id, user_id=user.id))
            db.session.add(QuizAttempt(user_id=user.id, module_id="hoaks", lang="en", submission_key=f"{number:032}",
                                       score=0, total=1, percent=0, passed=False, answers=[QuizAnswer(
                                           question_id=question.id, chosen=",".join(sorted(chosen)), correct=False)]))
        db.session.commit()
        expected = next(o.html for o in question.options if o.id == wrong[0])
    page = client.get(f"/en/classes/{class_id}/modules/hoaks/items").text
    assert f"Most chosen wrong answer (2 learners): <strong>{expected}</strong>" in page


def test_csv_times_are_the_times_on_the_page(app, client, teacher):
    class_id = fill_class(app, teacher, 1)
    with app.app_context():
        db.session.execute(sa.update(QuizAttempt).values(created_at=datetime(2026, 11, 30, 20, 30)))
        db.session.execute(sa.update(LessonProgress).values(completed_at=datetime(2026, 11, 30, 20, 0)))
        db.session.commit()
    assert "Dec 1, 2026" in client.get(f"/en/classes/{class_id}/report").text
    rows = list(csv.reader(io.StringIO(client.get(f"/en/classes/{class_id}/report.csv").data.decode("utf-8-sig"))))
    assert rows[1][2] == "2026-12-01 03:30"


def test_sorting_keeps_learners_without_progress_last(app, client, teacher):
    class_id = fill_class(app, teacher, 4)  # Murid 00 (quiz passed), 01 (1 lesson), 02, 03 (3 lessons)
    with app.app_context():
        db.session.execute(sa.delete(QuizAnswer))
        db.session.execute(sa.delete(QuizAttempt))
        db.session.commit()
    for order in ("asc", "desc"):
        page = client.get(f"/en/classes/{class_id}/report?sort=hoaks&order={order}").text
        names = re.findall(r'<th scope="row"><a [^>]*>(.*?)</a>', page)
        assert names[-1] == "Murid 00", order  # no lesson done and no attempt: always at the end


def test_the_report_shows_due_dates_and_who_is_late(app, client, teacher):
    class_id = fill_class(app, teacher, 3)
    with app.app_context():
        hoaks = get_library().module("hoaks")
        db.session.execute(sa.update(Assignment).where(Assignment.module_id == "hoaks")
                           .values(due_date=datetime(2026, 1, 5).date()))
        finished = db.session.scalar(sa.select(User.id).filter_by(display_name="Murid 02"))
        for lesson in hoaks.lessons[2:]:  # Murid 02 finishes every lesson (and passed the quiz)
            db.session.add(LessonProgress(user_id=finished, module_id="hoaks", lesson_id=lesson.id))
        db.session.commit()
    page = client.get(f"/en/classes/{class_id}/report").text
    assert "Due Jan 5, 2026" in page
    assert page.count('<span class="status status-late">late</span>') == 2
    rows = list(csv.reader(io.StringIO(client.get(f"/en/classes/{class_id}/report.csv").data.decode("utf-8-sig"))))
    late = rows[0].index("Understanding hoaxes: late")
    assert [row[late] for row in rows[1:]] == ["yes", "yes", "no"]


def bars(html: str) -> list[tuple[str, str]]:
    """Each bar drawn on the page: its value, its maximum and the figure written beside it."""
    return re.findall(r'<meter class="hbar" min="0" max="(\d+)" value="(\d+)" aria-hidden="true"></meter>\s*'
                      r'<span class="hbar-figure">(.*?)</span>', html)


def test_the_class_grid_draws_each_learners_progress_as_a_bar_with_its_figure(app, client, teacher):
    class_id = fill_class(app, teacher, 4)  # hoaks has 4 lessons: Murid 00 did none, 03 did three
    page = client.get(f"/en/classes/{class_id}/report").text
    rows = dict(re.findall(r'<th scope="row"><a [^>]*>(.*?)</a></th>(.*?)</tr>', page, re.S))
    assert bars(rows["Murid 03"])[0] == ("4", "3", "3/4")
    assert bars(rows["Murid 00"])[0] == ("4", "0", "0/4") and "100%" in rows["Murid 00"]
    assert 'aria-hidden="true"' in rows["Murid 03"]  # the figure beside it is what a screen reader reads
    assert "style=" not in page


def test_item_analysis_shows_mastery_as_bars_named_in_the_pages_language(app, client, teacher):
    class_id = fill_class(app, teacher, 4)
    with app.app_context():
        tags = {tag for q in get_library().module("hoaks").quiz.texts["id"].questions for tag in q.tags}
    page = client.get(f"/id/classes/{class_id}/modules/hoaks/items").text
    skills = page.split("Keterampilan, dari yang paling lemah")[1].split("</ul>")[0]
    assert len(bars(skills)) == len(tags)
    assert all(value == "0" and figure == "0%" for _, value, figure in bars(skills))  # every first attempt wrong
    assert "Mengecek sumber" in skills and "Mengenali satire" in skills
    assert not any(f">{tag}<" in skills for tag in tags)  # no English id stands for a skill
