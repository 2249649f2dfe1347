"""The class's discernment check: paired learners, the gain with its interval, no averages for a tiny class."""

import csv
import io
import itertools
import math

import pytest
import sqlalchemy as sa

from saring.classes import Classroom, Membership
from saring.content import get_library
from saring.discernment.models import CheckAnswer, CheckSitting
from saring.discernment.reports import check_report, t_95
from saring.extensions import db


def sit(user_id, phase, caught, trusted, form="a", library=None):
    """A sitting with `caught` of 10 hoaxes and `trusted` of 10 genuine messages (answers in item order)."""
    sitting = CheckSitting(user_id=user_id, form_id=form, phase=phase, lang="id", submission_key=f"{user_id}{phase}"
                           .ljust(32, "0"), caught=caught, false_items=10, trusted=trusted, genuine_items=10)
    if library is not None:
        items = library.check_form(form).texts["id"].items
        false_items = [i for i in items if not i.genuine]
        sitting.answers = [CheckAnswer(item_id=i.id, said_false=n < caught, correct=n < caught)
                           for n, i in enumerate(false_items)]
    db.session.add(sitting)


@pytest.fixture
def class_of(app, create_user):
    """class_of([(before caught, trusted, after caught, trusted), …]): a class of the teacher "guru"."""
    teacher = create_user("guru", role="teacher", locale="en")

    classes = itertools.count()

    def make(scores):
        number = next(classes)
        learners = [create_user(f"murid{number}{n}" if number else f"murid{n}") for n in range(len(scores))]
        with app.app_context():
            classroom = Classroom(teacher_id=teacher, name=f"8B{number or ''}", join_code=f"K7PQ2{number}")
            db.session.add(classroom)
            db.session.flush()
            library = get_library()
            for user, (caught_before, trusted_before, caught_after, trusted_after) in zip(learners, scores,
                                                                                           strict=True):
                db.session.add(Membership(classroom_id=classroom.id, user_id=user))
                sit(user, "before", caught_before, trusted_before, "a", library)
                sit(user, "after", caught_after, trusted_after, "b", library)
            db.session.commit()
            return classroom.id
    return make


def log_in_teacher(client):
    client.post("/en/login", data={"username": "guru", "password": "kata sandi yang panjang"})


def test_t_values_from_the_table():
    assert (t_95(4), t_95(30), t_95(35), t_95(500)) == (2.776, 2.042, 2.042, pytest.approx(1.96, abs=1e-3))


def test_the_gain_of_a_class_with_its_confidence_interval(app, client, class_of):
    # five learners: each catches more hoaxes after, and trusts as many genuine messages
    class_id = class_of([(5, 5, 8, 6), (6, 5, 9, 5), (4, 6, 8, 7), (5, 5, 7, 5), (7, 6, 9, 7)])
    with app.app_context():
        members = sa.select(Membership.user_id).where(Membership.classroom_id == class_id)
        report = check_report(get_library(), members)
        gains = [pair.gain for pair in report.pairs]
    assert len(report.pairs) == 5 and report.discernment.change == pytest.approx(sum(gains) / 5)
    spread = math.sqrt(sum((g - sum(gains) / 5) ** 2 for g in gains) / 4)
    assert report.discernment.high - report.discernment.change == pytest.approx(2.776 * spread / math.sqrt(5))
    assert report.discernment.low > 0, "every learner got better"
    assert report.caught.before == pytest.approx(54) and report.caught.after == pytest.approx(82)
    assert {change.technique for change in report.techniques} <= {"emotion", "fabricated", "impersonation",
                                                                  "conspiracy", "false-context", "fake-expert",
                                                                  "polarisation", "scam", "discrediting",
                                                                  "manipulated-media"}
    log_in_teacher(client)
    page = client.get(f"/en/classes/{class_id}/check").text
    assert "5 learners have taken both checks." in page
    assert "Telling them apart (discernment, 0 is guessing):" in page and "95% confidence interval" in page
    assert '<svg class="chart"' in page and "<title id=\"chart-title\">" in page
    assert "Hoaxes caught, by technique" in page


def test_a_class_of_three_shows_each_learner_but_no_average(app, client, class_of):
    class_id = class_of([(5, 5, 8, 6), (6, 5, 9, 5), (4, 6, 8, 7)])
    log_in_teacher(client)
    page = client.get(f"/en/classes/{class_id}/check").text
    assert "Averages appear once 5 learners have taken both checks" in page
    assert "confidence interval" not in page and "by technique" not in page
    assert "murid0" in page


def test_the_csv_has_a_row_per_paired_learner(app, client, class_of):
    class_id = class_of([(5, 5, 8, 6), (6, 5, 9, 5)])
    log_in_teacher(client)
    response = client.get(f"/en/classes/{class_id}/check.csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Name", "Username", "Hoaxes caught before"]
    assert [row[1] for row in rows[1:]] == ["murid0", "murid1"]
    assert rows[1][2] == "5/10" and rows[1][6] == "8/10"


def test_an_admin_sees_every_class_together_without_names(app, client, class_of, login_as):
    class_of([(5, 5, 8, 6), (6, 5, 9, 5), (4, 6, 8, 7)])
    class_of([(5, 5, 7, 5), (7, 6, 9, 7)])
    login_as("admin", username="kepala", lang="en")
    page = client.get("/en/admin/check").text
    assert "5 learners have taken both checks." in page and "95% confidence interval" in page
    assert "murid0" not in page
