"""Learners added in bulk from names or CSV, login cards, and password resets by their teacher."""

import io
import re

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.classes import Classroom, Membership
from saring.extensions import db
from tests.conftest import PASSWORD, qr_encodes

NAMES = ["Siti Nur'aini", "Ni Luh Putu Ayu", "Ahmad", "Ahmad", "Đặng Văn Lâm", "王小明", "  D'Souza   Kevin  "]


@pytest.fixture
def class_id(app, client, login_as):
    """A class of teacher "bu-sari", who is signed in."""
    login_as("teacher", username="bu-sari")
    response = client.post("/id/classes", data={"name": "8B"})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def accounts(app):
    with app.app_context():
        rows = db.session.execute(sa.select(User.username, User.display_name, User.must_change_password)
                                  .join(Membership, Membership.user_id == User.id).order_by(User.id))
        return [tuple(row) for row in rows]


def cards_of(html):
    return re.findall(r'<p class="card-name">(.*?)</p>.*?<strong class="code">(.*?)</strong>.*?'
                      r'<strong class="code">(.*?)</strong>', html, re.S)


def test_pasted_names_become_accounts_with_login_cards(app, client, class_id, create_user):
    create_user("ahmad")  # an existing account keeps its name
    response = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "\n".join([*NAMES, "", " "])})
    assert response.status_code == 200
    cards = cards_of(response.text)
    usernames = ["siti.nuraini", "ni.ayu", "ahmad2", "ahmad3", "dang.lam", "pelajar", "dsouza.kevin"]
    names = ["Siti Nur&#39;aini", "Ni Luh Putu Ayu", "Ahmad", "Ahmad", "Đặng Văn Lâm", "王小明", "D&#39;Souza Kevin"]
    assert [(name, username) for name, username, _ in cards] == list(zip(names, usernames, strict=True))
    assert accounts(app) == [(u, n.replace("&#39;", "'"), True) for u, n in zip(usernames, names, strict=True)]
    _name, username, password = cards[0]
    learner = app.test_client()
    learner.post("/id/login", data={"username": username, "password": password})
    assert learner.get("/id/").headers["Location"] == "/id/account/first-password"


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbfNama;Kelas\nSiti Nur'aini;8B\nAhmad;8B\n",   # Excel: BOM, header, semicolons
    b"Siti Nur'aini,8B\nAhmad,8B\n",                          # no BOM, no header, commas
    b"name\tclass\r\nSiti Nur'aini\t8B\r\nAhmad\t8B\r\n",     # tabs and Windows line ends
])
def test_a_csv_file_of_names(app, client, class_id, content):
    response = client.post(f"/id/classes/{class_id}/learners/new", content_type="multipart/form-data",
                           data={"names": "", "file": (io.BytesIO(content), "kelas.csv")})
    assert response.status_code == 200
    assert [name for name, _, _ in accounts(app)] == ["siti.nuraini", "ahmad"]


@pytest.mark.parametrize("data, message", [
    ({"names": ""}, "Ketik minimal satu nama, atau pilih berkas CSV."),
    ({"names": "\n".join(f"Murid {n}" for n in range(61))}, "Tambahkan paling banyak 60 pelajar sekaligus."),
    ({"names": "Ani\nB" + "u" * 80}, "Nama ke-2 terlalu panjang"),
    ({"names": "Ani\nBudi\u200b"}, "Nama ke-2 terlalu panjang atau berisi karakter"),
])
def test_bad_lists_get_a_message_and_create_nobody(app, client, class_id, data, message):
    response = client.post(f"/id/classes/{class_id}/learners/new", data=data)
    assert response.status_code == 200 and message in response.text
    assert accounts(app) == []


def test_a_file_that_is_not_utf8_gets_a_message(app, client, class_id):
    response = client.post(f"/id/classes/{class_id}/learners/new", content_type="multipart/form-data",
                           data={"names": "", "file": (io.BytesIO("Nur’aini\n".encode("cp1252")), "kelas.csv")})
    assert response.status_code == 200 and "simpan sebagai “CSV UTF-8”" in response.text
    assert accounts(app) == []


def test_a_teacher_resets_a_learners_password(app, client, class_id):
    response = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Ani"})
    [(_, username, first)] = cards_of(response.text)
    learner = app.test_client()
    learner.post("/id/login", data={"username": username, "password": first})
    learner.post("/id/account/first-password", data={"password": PASSWORD, "confirm": PASSWORD})
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(username=username))
    reset = client.post(f"/id/classes/{class_id}/learners/{user_id}/password")
    [(_, _, new)] = cards_of(reset.text)
    assert learner.get("/id/account").status_code == 302  # the learner's open session ends
    fresh = app.test_client()
    assert fresh.post("/id/login", data={"username": username, "password": PASSWORD}).status_code == 200
    assert fresh.post("/id/login", data={"username": username, "password": new}).headers["Location"] == \
        "/id/account/first-password"


def test_login_cards_are_never_kept_by_the_browser_or_a_proxy(app, client, class_id):
    """The cards show first passwords: on a school's shared computer, Back or the cache must not show them again."""
    made = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Ani"})
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(username="ani"))
    reset = client.post(f"/id/classes/{class_id}/learners/{user_id}/password")
    for response in (made, reset):
        assert cards_of(response.text)
        assert response.cache_control.no_store and response.cache_control.private


def test_a_teacher_cannot_reset_an_account_with_a_role_or_outside_the_class(app, client, class_id, create_user):
    other_teacher = create_user("pak-budi", role="teacher")
    outsider = create_user("orang-lain")
    with app.app_context():
        db.session.add(Membership(classroom_id=class_id, user_id=other_teacher))
        db.session.commit()
    assert client.post(f"/id/classes/{class_id}/learners/{other_teacher}/password").status_code == 403
    assert client.post(f"/id/classes/{class_id}/learners/{outsider}/password").status_code == 404
    assert "Kata sandi baru" not in client.get(f"/id/classes/{class_id}").text.split("pak-budi")[1][:300]


def test_another_teachers_class_is_404_for_the_roster(app, client, class_id, create_user):
    other = create_user("pak-budi", role="teacher")
    with app.app_context():
        foreign = Classroom(teacher_id=other, name="9A", join_code="QRSTUV")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    assert client.get(f"/id/classes/{foreign_id}/learners/new").status_code == 404
    assert client.post(f"/id/classes/{foreign_id}/learners/new", data={"names": "Ani"}).status_code == 404
    assert accounts(app) == []


def test_a_school_csv_with_a_number_column_uses_the_name_column(app, client, class_id):
    content = b"No;Nama;Kelas\r1;Siti Nur'aini;8B\r2;Ahmad;8B\r"  # old Mac line ends too
    response = client.post(f"/id/classes/{class_id}/learners/new", content_type="multipart/form-data",
                           data={"names": "", "file": (io.BytesIO(content), "kelas.csv")})
    assert response.status_code == 200
    assert [name for name, _, _ in accounts(app)] == ["siti.nuraini", "ahmad"]


@pytest.mark.parametrize("content, message", [
    (b"1\n2\n", "Nama ke-1 (1) tidak berisi huruf"),
    (b"Ani\x00Budi\n", "Nama ke-1 terlalu panjang atau berisi karakter"),
    (b"Nama\n", "Ketik minimal satu nama"),
])
def test_csv_without_names_gets_a_message(app, client, class_id, content, message):
    response = client.post(f"/id/classes/{class_id}/learners/new", content_type="multipart/form-data",
                           data={"names": "", "file": (io.BytesIO(content), "kelas.csv")})
    assert response.status_code == 200 and message in response.text
    assert accounts(app) == []


def test_a_form_without_its_names_field_is_a_message_not_an_error(app, client, class_id):
    response = client.post(f"/id/classes/{class_id}/learners/new", data={})
    assert response.status_code == 200 and "Ketik minimal satu nama" in response.text


def test_passwords_are_hashed_before_anything_is_written(app, client, class_id, monkeypatch):
    from saring.classes import roster
    events = []
    real_hash = roster.hash_password
    monkeypatch.setattr(roster, "hash_password", lambda password: events.append("hash") or real_hash(password))
    with app.app_context():
        engine = db.engine
    listener = lambda *args: args[2].lstrip().upper().startswith("INSERT") and events.append("write")  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Ani\nBudi\nCici"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert events[:3] == ["hash"] * 3 and "hash" not in events[3:] and "write" in events


def test_a_username_taken_meanwhile_is_replaced_not_an_error(app, client, class_id, monkeypatch):
    from saring.classes import roster
    real = roster.unique_usernames
    calls = []

    def taken_meanwhile(names):
        chosen = real(names)
        if not calls:  # someone signs up as "budi" just after the lookup
            with app.app_context(), db.engine.begin() as other:
                other.execute(sa.insert(User).values(username="budi", password_hash="x", locale="id",
                                                     created_at=sa.func.now()))
        calls.append(chosen)
        return chosen

    monkeypatch.setattr(roster, "unique_usernames", taken_meanwhile)
    response = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Budi"})
    assert response.status_code == 200
    assert [username for username, _, _ in accounts(app)] == ["budi2"]


def test_a_teacher_cannot_reset_an_account_its_owner_made(app, client, class_id, create_user):
    own = create_user("dewi")
    with app.app_context():
        db.session.add(Membership(classroom_id=class_id, user_id=own))  # joined with the code
        db.session.commit()
    assert client.post(f"/id/classes/{class_id}/learners/{own}/password").status_code == 403


@pytest.mark.parametrize("field, value", [("name", "8B\u202e"), ("school", "SMP\u200b1")])
def test_class_fields_refuse_invisible_characters(app, client, class_id, field, value):
    data = {"name": "8C", field: value}
    response = client.post("/id/classes", data=data)
    assert response.status_code == 200 and "Ada karakter yang tidak boleh dipakai." in response.text


def test_an_unlikely_due_date_is_refused(app, client, class_id):
    response = client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": "31/12/0226"})
    assert response.status_code == 200 and "Tulis tanggal seperti" in response.text


def test_login_cards_carry_the_classes_join_qr_code_while_joining_is_open(app, client, class_id):
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    page = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Ani\nBudi"}).text
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 2 and all(qr_encodes(svg, f"http://localhost/id/join/{code}") for svg in svgs)
    assert page.count('<dd class="code">http://localhost/id/login</dd>') == 2
    client.post(f"/id/classes/{class_id}/joining", data={"open": "no"})
    page = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Citra"}).text
    assert "<svg" not in page and "scan the code" not in page.lower() and "pindai" not in page
