"""Taking the discernment check: forms balanced across learners, answers read by position, results in plain words."""

import re

import pytest
import sqlalchemy as sa

from saring.discernment.models import CheckAnswer, CheckSitting
from saring.extensions import db
from tests.conftest import hidden_fields
from tests.test_checks import balanced

CHECK = "/en/check"


@pytest.fixture
def forms(sample_copy, use_content):
    """The good sample with two balanced forms of twenty messages, half genuine."""
    (sample_copy / "checks").mkdir()
    for form_id in "ab":
        for lang in ("id", "en"):
            (sample_copy / "checks" / f"{form_id}.{lang}.md").write_text(balanced(form_id), encoding="utf-8")
    use_content(sample_copy)
    return sample_copy


def answering(page: str, choose) -> dict:
    """The check form with `choose(position)` ("genuine" or "false") for every message."""
    positions = sorted({int(n) for n in re.findall(r'name="m(\d+)"', page)})
    return {**hidden_fields(page), **{f"m{n}": choose(n) for n in positions}}


def sittings(app):
    with app.app_context():
        return db.session.scalars(sa.select(CheckSitting).order_by(CheckSitting.id)).all()


def test_the_check_shows_every_card_and_never_its_truth(client, forms):
    page = client.get(CHECK).text
    assert page.count('type="radio"') == 40 and "Message 20 of 20" in page
    assert "Why it is" not in page and "kemkes.go.id" not in page  # explanations and sources come after
    assert "a-0" not in page  # an item's id is never in the page


def test_calling_everything_false_catches_every_hoax_and_says_what_it_cost(client, login_as, forms, app):
    login_as("learner", lang="en")
    answer = client.post(CHECK, data=answering(client.get(CHECK).text, lambda n: "false"))
    assert answer.status_code == 302
    result = client.get(answer.headers["Location"]).text
    assert "You caught 10 of 10 hoaxes and trusted 0 of 10 genuine messages." in result
    assert "You leaned towards calling messages false: you also doubted 10 genuine messages." in result
    assert "Telling them apart: 0 (0 is guessing" in result
    [sitting] = sittings(app)
    assert (sitting.phase, sitting.caught, sitting.trusted) == ("before", 10, 0)
    assert sitting.score.d_prime == pytest.approx(0.0, abs=1e-9)


def test_calling_everything_false_shows_the_same_in_the_teachers_view(client, create_user, forms, app):
    """The teacher's row for a learner who called every message false, before and after: every hoax
    caught, no genuine message trusted, discernment 0 and a leaning towards "false" both times."""
    from saring.classes import Classroom, Membership
    teacher, learner = create_user("guru", role="teacher", locale="en"), create_user("dewi", locale="en")
    with app.app_context():
        classroom = Classroom(teacher_id=teacher, name="7C", join_code="H4MW9T")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(Membership(classroom_id=classroom.id, user_id=learner))
        db.session.commit()
        class_id = classroom.id
    client.post("/en/login", data={"username": "dewi", "password": "kata sandi yang panjang"})
    for _ in range(2):
        client.post(CHECK, data=answering(client.get(CHECK).text, lambda n: "false"))
    client.post("/en/logout", data=hidden_fields(client.get("/en/").text))
    client.post("/en/login", data={"username": "guru", "password": "kata sandi yang panjang"})
    page = client.get(f"/en/classes/{class_id}/check").text
    [row] = re.findall(r'<tr><th scope="row">dewi</th>(.*?)</tr>', page, re.S)
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["10 of 10 hoaxes caught, 0 of 10 genuine messages trusted"] * 2 + [
        "0 → 0", "Towards “false” → towards “false”"]
    csv_row = client.get(f"/en/classes/{class_id}/check.csv").text.splitlines()[1].split(",")
    assert csv_row[2:4] == ["10/10", "0/10"] and float(csv_row[4]) == 0 and float(csv_row[5]) < -1


def test_the_first_form_alternates_between_learners_and_the_second_comes_after(client, create_user, forms, app):
    taken = []
    for name in ("ani", "budi"):
        create_user(name, locale="en")
        client.post("/en/login", data={"username": name, "password": "kata sandi yang panjang"})
        for _ in range(2):
            page = client.get(CHECK).text
            client.post(CHECK, data=answering(page, lambda n: "genuine" if n % 2 == 0 else "false"))
        assert "You have taken the check before and after the course." in client.get(CHECK).text
        client.post("/en/logout")
    taken = [(s.user_id, s.phase, s.form_id) for s in sittings(app)]
    firsts = {user: form for user, phase, form in taken if phase == "before"}
    assert sorted(firsts.values()) == ["a", "b"], "each form comes first for one of the two learners"
    assert all(form != firsts[user] for user, phase, form in taken if phase == "after")


def test_a_perfect_check_and_the_explanations_after_it(client, login_as, forms, app):
    login_as("learner", lang="en")
    page = client.get(CHECK).text
    answer = client.post(CHECK, data=answering(page, lambda n: "genuine" if n % 2 == 0 else "false"))
    result = client.get(answer.headers["Location"]).text
    assert "You caught 10 of 10 hoaxes and trusted 10 of 10 genuine messages." in result
    assert "You did not lean towards either answer." in result
    assert "Why it is genuine." in result and "Where to check it: Kemenkes, kemkes.go.id" in result
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckAnswer).where(CheckAnswer.correct)) == 20


def test_an_unanswered_message_keeps_the_other_answers_and_saves_nothing(client, login_as, forms, app):
    login_as("learner", lang="en")
    data = answering(client.get(CHECK).text, lambda n: "false")
    del data["m7"]
    page = client.post(CHECK, data=data)
    assert page.status_code == 400 and "1 message has no answer yet." in page.text
    assert page.text.count("checked") == 19 and "Choose genuine or false." in page.text
    assert sittings(app) == []


@pytest.mark.parametrize("change", [{"m3": "maybe"}, {"m99": "false"}, {"form_id": "the other"},
                                    {"submission_key": "x"}])
def test_a_forged_form_is_refused_and_saves_nothing(client, login_as, forms, app, change):
    login_as("learner", lang="en")
    data = answering(client.get(CHECK).text, lambda n: "false")
    if change.get("form_id") == "the other":
        change = {"form_id": "a" if data["form_id"] == "b" else "b"}
    data.update(change)
    page = client.post(CHECK, data=data)
    assert page.status_code == 400 and "not part of this check" in page.text
    assert sittings(app) == []


def test_a_resent_form_lands_on_the_same_sitting(client, login_as, forms, app):
    login_as("learner", lang="en")
    data = answering(client.get(CHECK).text, lambda n: "false")
    first = client.post(CHECK, data=data)
    again = client.post(CHECK, data=data)
    assert len(sittings(app)) == 1
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]


def test_a_visitor_sees_the_result_unsaved_and_nobody_else_sees_a_sitting(client, login_as, create_user, forms,
                                                                          app):
    page = client.post(CHECK, data=answering(client.get(CHECK).text, lambda n: "false"))
    assert page.status_code == 200 and "You caught 10 of 10 hoaxes" in page.text
    assert sittings(app) == []
    login_as("learner", lang="en")
    location = client.post(CHECK, data=answering(client.get(CHECK).text, lambda n: "false")).headers["Location"]
    client.post("/en/logout")
    assert client.get(location).status_code == 404
    create_user("lain", locale="en")
    client.post("/en/login", data={"username": "lain", "password": "kata sandi yang panjang"})
    assert client.get(location).status_code == 404


def test_the_shipped_check_rewards_telling_apart_not_doubting_everything(client, login_as, app):
    login_as("learner", lang="id")
    page = client.get("/id/check").text
    assert "Pesan 20 dari 20" in page
    suspicious = client.post("/id/check", data=answering(page, lambda n: "false"))
    result = client.get(suspicious.headers["Location"]).text
    assert "Kamu mengenali 10 dari 10 hoaks dan memercayai 0 dari 10 pesan asli." in result
    assert "Kemampuan membedakan: 0 (0 berarti menebak" in result
    [sitting] = sittings(app)
    assert sitting.score.leaning == "false" and sitting.score.d_prime == pytest.approx(0.0, abs=1e-9)
