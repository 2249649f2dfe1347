"""Classes: creating one, join codes and links, closing joining, assignments on learners' home."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from saring.accounts import User, UserRole
from saring.classes import Assignment, Classroom, Membership
from saring.classes.models import JOIN_CODE_ALPHABET
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAttempt
from tests.conftest import PASSWORD, qr_encodes


@pytest.fixture
def teacher(client, login_as):
    """The client signed in as teacher "bu-sari"; returns her id."""
    return login_as("teacher", username="bu-sari")


def make_class(client, name="8B Literasi digital"):
    response = client.post("/id/classes", data={"name": name, "school": "SMP 1 Sukamaju", "grade": "8"})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def code_of(app, class_id):
    with app.app_context():
        return db.session.get(Classroom, class_id).join_code


def members(app, class_id):
    with app.app_context():
        return db.session.scalars(sa.select(Membership.user_id).filter_by(classroom_id=class_id)).all()


def as_learner(app, username="ani"):
    """A second client, signed in as a new learner."""
    client = app.test_client()
    with app.app_context():
        user = User(username=username)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client.post("/id/login", data={"username": username, "password": PASSWORD})
    return client


def test_a_teacher_creates_a_class_with_an_easy_join_code(app, client, teacher):
    class_id = make_class(client)
    code = code_of(app, class_id)
    assert len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set(code) & set("0O1IL")
    page = client.get(f"/id/classes/{class_id}").text
    assert code in page and f"http://localhost/id/join/{code}" in page
    assert "8B Literasi digital" in client.get("/id/classes").text


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Beri nama kelasnya."),
    ({"name": "x" * 81}, "Gunakan paling banyak 80 karakter."),
    ({"name": "8B\x00"}, "Ada karakter yang tidak boleh dipakai."),
    ({"name": "8B", "grade": "x" * 21}, "Gunakan paling banyak 20 karakter."),
])
def test_bad_class_input_gets_a_message_and_stores_nothing(app, client, teacher, data, message):
    response = client.post("/id/classes", data=data)
    assert response.status_code == 200 and message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Classroom.id))) == 0


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {first} {rest} ", "{first}-{rest}"])
def test_a_learner_joins_with_the_code_however_it_is_typed(app, client, teacher, typed):
    class_id = make_class(client)
    code = code_of(app, class_id)
    learner = as_learner(app)
    text = typed.format(code=code, lower=code.lower(), first=code[:3], rest=code[3:])
    response = learner.post("/id/join", data={"code": text})
    assert response.headers["Location"] == "/id/"
    assert "Kamu sudah bergabung ke 8B Literasi digital." in learner.get("/id/").text
    learner.post("/id/join", data={"code": code})
    assert len(members(app, class_id)) == 1


def test_the_join_link_shows_the_class_and_needs_an_account(app, client, teacher):
    class_id = make_class(client)
    code = code_of(app, class_id)
    visitor = app.test_client()
    assert visitor.get(f"/en/join/{code}").headers["Location"] == f"/en/login?next=%2Fen%2Fjoin%2F{code}"
    learner = as_learner(app)
    page = learner.get(f"/en/join/{code}").text
    assert "Class 8B Literasi digital, with bu-sari." in page and f'value="{code}"' in page
    learner.post("/en/join", data={"code": code})
    assert len(members(app, class_id)) == 1


@pytest.mark.parametrize("code, message", [("", "Ketik kode yang diberikan gurumu."),
                                           ("ABC", "Kode kelas terdiri dari 6 huruf dan angka."),
                                           ("ZZZZZZ", "Tidak ada kelas yang terbuka dengan kode ini."),
                                           ("x" * 5000, "Kode kelas terdiri dari 6 huruf dan angka.")])
def test_wrong_codes_get_a_message(app, client, teacher, code, message):
    make_class(client)
    response = as_learner(app).post("/id/join", data={"code": code})
    assert response.status_code == 200 and message in response.text


def test_closing_joining_and_a_new_code(app, client, teacher):
    class_id = make_class(client)
    old = code_of(app, class_id)
    client.post(f"/id/classes/{class_id}/joining", data={"open": "no"})
    learner = as_learner(app)
    assert "Tidak ada kelas yang terbuka" in learner.post("/id/join", data={"code": old}).text
    client.post(f"/id/classes/{class_id}/joining", data={"open": "yes"})
    client.post(f"/id/classes/{class_id}/code")
    new = code_of(app, class_id)
    assert new != old
    assert "Tidak ada kelas yang terbuka" in learner.post("/id/join", data={"code": old}).text
    assert learner.post("/id/join", data={"code": new}).status_code == 302
    assert len(members(app, class_id)) == 1


def test_assignments_with_due_dates(app, client, teacher):
    class_id = make_class(client)
    response = client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": "2026-12-31"})
    assert response.status_code == 302
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": "15/01/2027"})
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "cek-fakta", "due_date": ""})
    with app.app_context():
        rows = db.session.execute(sa.select(Assignment.module_id, Assignment.due_date)
                                  .order_by(Assignment.id)).all()
    assert rows == [("hoaks", date(2027, 1, 15)), ("cek-fakta", None)]
    page = client.get(f"/en/classes/{class_id}").text
    assert "Due Jan 15, 2027" in page and "No due date" in page
    client.post(f"/id/classes/{class_id}/assignments/hoaks/remove")
    with app.app_context():
        assert db.session.scalars(sa.select(Assignment.module_id)).all() == ["cek-fakta"]


@pytest.mark.parametrize("data, message", [({"module": "tidak-ada"}, "Pilih modul."),
                                           ({"module": "hoaks", "due_date": "besok"}, "Tulis tanggal seperti"),
                                           ({"module": "hoaks", "due_date": "2026-02-30"}, "Tulis tanggal seperti")])
def test_bad_assignments_get_a_message_and_store_nothing(app, client, teacher, data, message):
    class_id = make_class(client)
    response = client.post(f"/id/classes/{class_id}/assignments", data=data)
    assert response.status_code == 200 and message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_learners_home_shows_assigned_modules_first_with_their_status(app, client, teacher):
    class_id = make_class(client)
    yesterday, next_week = date.today() - timedelta(days=2), date.today() + timedelta(days=7)
    client.post(f"/id/classes/{class_id}/assignments",
                data={"module": "cek-fakta", "due_date": next_week.isoformat()})
    client.post(f"/id/classes/{class_id}/assignments",
                data={"module": "hoaks", "due_date": yesterday.isoformat()})
    learner = as_learner(app)
    learner.post("/en/join", data={"code": code_of(app, class_id)})
    home = learner.get("/en/").text
    assigned = re.search(r'<section aria-labelledby="assigned-title">(.*?)</section>', home, re.S)[1]
    assert assigned.index("Understanding hoaxes") < assigned.index("Check like a fact-checker")
    assert '<span class="status status-late">late</span>' in assigned
    assert '<span class="status status-not-started">not started</span>' in assigned
    learner.post("/en/modules/cek-fakta/sift/done")
    home = learner.get("/en/").text
    assert '<span class="status status-in-progress">in progress</span>' in home


def test_a_finished_assignment_is_done_even_after_its_due_date(app, client, teacher):
    class_id = make_class(client)
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": "2020-01-01"})
    learner = as_learner(app)
    learner.post("/id/join", data={"code": code_of(app, class_id)})
    with app.app_context():
        module = get_library().module("hoaks")
        user_id = db.session.scalar(sa.select(Membership.user_id))
        db.session.add_all(LessonProgress(user_id=user_id, module_id="hoaks", lesson_id=lesson.id)
                           for lesson in module.lessons)
        db.session.add(QuizAttempt(user_id=user_id, module_id="hoaks", lang="id", submission_key="0" * 32,
                                   score=10, total=10, percent=100, passed=True))
        db.session.commit()
    assert '<span class="status status-done">selesai</span>' in learner.get("/id/").text


def test_the_code_field_lets_learners_type_separators(app, client, teacher):
    html = as_learner(app).get("/id/join").text
    field = re.search(r'<input [^>]*name="code"[^>]*>', html)[0]
    assert "maxlength" not in field and 'autocapitalize="characters"' in field


def progress_rows(app, user_id):
    """The learner's lesson and quiz rows, which leaving or being removed from a class never touches."""
    with app.app_context():
        return (db.session.scalars(sa.select(LessonProgress.lesson_id).filter_by(user_id=user_id)).all(),
                db.session.scalars(sa.select(QuizAttempt.id).filter_by(user_id=user_id)).all())


def joined_learner_with_progress(app, client, username="ani-lestari"):
    """A class of the signed-in teacher, assigned hoaks, and a learner in it with a lesson done and a quiz
    attempt; returns the class id, the learner's client and id."""
    class_id = make_class(client)
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks"})
    learner = as_learner(app, username)
    learner.post("/id/join", data={"code": code_of(app, class_id)})
    learner.post("/id/modules/hoaks/jenis-misinformasi/done")
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(username=username))
        db.session.add(QuizAttempt(user_id=user_id, module_id="hoaks", lang="id", submission_key="1" * 32,
                                   score=3, total=10, percent=30, passed=False))
        db.session.commit()
    assert progress_rows(app, user_id)[0] == ["jenis-misinformasi"]
    return class_id, learner, user_id


def assigned_on_home(learner):
    return 'id="assigned-title"' in learner.get("/id/").text


def test_a_learner_leaves_a_class_and_keeps_their_progress(app, client, teacher):
    class_id, learner, user_id = joined_learner_with_progress(app, client)
    kept = progress_rows(app, user_id)
    page = learner.get("/id/join").text
    assert "8B Literasi digital, bersama bu-sari" in page and "Keluar dari kelas ini" in page
    assert assigned_on_home(learner)  # the home page is kept from here on
    response = learner.post(f"/id/classes/{class_id}/leave")
    assert response.status_code == 302 and response.headers["Location"] == "/id/join"
    assert "Kamu sudah keluar dari 8B Literasi digital." in learner.get("/id/join").text
    assert members(app, class_id) == []
    assert progress_rows(app, user_id) == kept
    assert not assigned_on_home(learner), "the kept home page drops the class's assignments"
    assert "ani-lestari" not in client.get(f"/id/classes/{class_id}/report").text
    assert learner.post(f"/id/classes/{class_id}/leave").status_code == 404, "no longer a member"


def test_a_learner_cannot_leave_for_someone_else(app, client, teacher):
    class_id, _learner, user_id = joined_learner_with_progress(app, client)
    stranger = as_learner(app, "budi")
    assert stranger.post(f"/id/classes/{class_id}/leave").status_code == 404
    assert stranger.post(f"/id/classes/{class_id}/leave", data={"user_id": user_id}).status_code == 404
    assert members(app, class_id) == [user_id]


def test_a_teacher_removes_a_learner_who_keeps_their_progress(app, client, teacher):
    class_id, learner, user_id = joined_learner_with_progress(app, client)
    kept = progress_rows(app, user_id)
    assert "ani-lestari" in client.get(f"/id/classes/{class_id}/report").text
    assert assigned_on_home(learner)
    response = client.post(f"/id/classes/{class_id}/learners/{user_id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == f"/id/classes/{class_id}"
    page = client.get(f"/id/classes/{class_id}").text
    assert "ani-lestari tidak lagi ada di kelas ini. Kemajuan dan hasil kuisnya tetap tersimpan" in page
    assert members(app, class_id) == []
    assert progress_rows(app, user_id) == kept
    assert "ani-lestari" not in client.get(f"/id/classes/{class_id}/report").text
    assert client.get(f"/id/classes/{class_id}/learners/{user_id}").status_code == 404
    assert not assigned_on_home(learner), "the learner's kept home page drops the class's assignments"
    assert learner.get("/id/account").status_code == 200, "the account itself stays"


def test_only_the_classes_own_teacher_removes_its_learners(app, client, teacher):
    class_id, _learner, user_id = joined_learner_with_progress(app, client)
    other = as_learner(app, "pak-eko")
    with app.app_context():
        eko = db.session.scalar(sa.select(User).filter_by(username="pak-eko"))
        eko.roles = [UserRole(role="teacher")]
        db.session.commit()
    assert other.post(f"/id/classes/{class_id}/learners/{user_id}/remove").status_code == 404
    assert client.post(f"/id/classes/{class_id}/learners/999999/remove").status_code == 404
    assert members(app, class_id) == [user_id]


def test_the_class_page_carries_a_small_qr_code_of_the_join_link_in_the_teachers_language(app, client, teacher):
    class_id = make_class(client)
    code = code_of(app, class_id)
    for lang, name in (("id", "Kode QR tautan bergabung"), ("en", "QR code of the join link")):
        page = client.get(f"/{lang}/classes/{class_id}").text
        [svg] = re.findall(r"<svg.*?</svg>", page, re.S)
        assert qr_encodes(svg, f"http://localhost/{lang}/join/{code}")
        assert not qr_encodes(svg, f"http://localhost/{lang}/join/{code[::-1]}")
        assert 'role="img"' in svg and f"<title>{name}</title>" in svg
        assert len(svg.encode()) < 3000, "a few KB at most"
    client.post(f"/id/classes/{class_id}/code")
    new_code = code_of(app, class_id)
    assert qr_encodes(re.search(r"<svg.*?</svg>", client.get(f"/id/classes/{class_id}").text, re.S)[0],
                      f"http://localhost/id/join/{new_code}")
    client.post(f"/id/classes/{class_id}/joining", data={"open": "no"})
    assert "<svg" not in client.get(f"/id/classes/{class_id}").text
