"""Accounts made from the command line, roles granted by admins, first passwords changed."""

import re

import pytest
import sqlalchemy as sa

from saring.accounts import User, UserRole
from saring.admin import remove_role_unless_last_admin
from saring.extensions import db
from tests.conftest import PASSWORD


def account(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        return user and (sorted(r.role for r in user.roles), user.must_change_password)


def test_create_the_first_admin_with_a_typed_password(app, runner):
    result = runner.invoke(args=["users", "create", "--role", "admin", "Kepala"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Created kepala (admin)." in result.output
    assert account(app, "kepala") == (["admin"], False)


def test_a_generated_password_is_printed_and_must_be_changed(app, runner, client):
    result = runner.invoke(args=["users", "create", "--role", "teacher", "bu-sari", "--generate-password"])
    assert result.exit_code == 0, result.output
    password = re.search(r"First password: (\S+)", result.output)[1]
    assert re.fullmatch(r"[a-z]+-[a-z]+-[a-z]+-\d{3}", password)
    assert account(app, "bu-sari") == (["teacher"], True)
    response = client.post("/id/login", data={"username": "bu-sari", "password": password})
    assert response.headers["Location"] == "/id/account/first-password"
    for path in ("/id/", "/id/modules/hoaks", "/en/modules", "/id/account"):
        assert client.get(path).headers["Location"].endswith("/account/first-password"), path
    assert "Buat kata sandimu" in client.get("/id/account/first-password").text
    client.post("/id/account/first-password", data={"password": PASSWORD, "confirm": PASSWORD})
    assert client.get("/id/modules/hoaks").status_code == 200
    assert account(app, "bu-sari") == (["teacher"], False)


@pytest.mark.parametrize("username, message", [("ab", "Use between 3 and 30 characters."),
                                               ("budi 😀", "Use only letters a–z"),
                                               ("ani", "This username is taken.")])
def test_create_refuses_a_bad_or_taken_name(app, runner, create_user, username, message):
    create_user("ani")
    result = runner.invoke(args=["users", "create", username, "--generate-password"])
    assert result.exit_code == 1
    assert message in result.output


def test_admin_lists_finds_grants_and_removes_roles(app, client, login_as, create_user):
    login_as("admin", username="kepala")
    budi = create_user("budi")
    create_user("ani")
    page = client.get("/id/admin/users?q=bud").text
    assert "<strong>budi</strong>" in page and "<strong>ani</strong>" not in page
    response = client.post(f"/id/admin/users/{budi}/roles?q=bud", data={"role": "teacher", "action": "grant"})
    assert response.headers["Location"] == "/id/admin/users?q=bud"
    assert account(app, "budi") == (["teacher"], False)
    assert "budi sekarang juga menjadi guru." in client.get(response.headers["Location"]).text
    client.post(f"/id/admin/users/{budi}/roles", data={"role": "teacher", "action": "grant"})
    assert account(app, "budi") == (["teacher"], False)  # granting twice keeps one row
    client.post(f"/id/admin/users/{budi}/roles", data={"role": "teacher", "action": "remove"})
    assert account(app, "budi") == ([], False)


def test_an_admin_cannot_remove_their_own_admin_role(app, client, login_as):
    me = login_as("admin", username="kepala")
    client.post(f"/en/admin/users/{me}/roles", data={"role": "admin", "action": "remove"})
    assert account(app, "kepala") == (["admin"], False)
    assert "You cannot remove your own admin role" in client.get("/en/admin/users").text



def test_two_admins_removing_each_other_at_once_leave_one_admin(app, client, create_user):
    """Each saw the other as admin when the page was shown; the second change to commit finds no admin left
    and changes nothing, so someone can still manage Saring."""
    kepala, wakil = create_user("kepala", role="admin"), create_user("wakil", role="admin")
    with app.test_request_context():
        with db.engine.begin() as elsewhere:  # meanwhile wakil removes kepala's admin role, in another connection
            elsewhere.execute(sa.delete(UserRole.__table__).where(UserRole.user_id == kepala))
        assert remove_role_unless_last_admin(db.session.get(User, wakil), "admin") is False
    assert account(app, "wakil") == (["admin"], False)
    with app.test_request_context():
        assert remove_role_unless_last_admin(db.session.get(User, wakil), "teacher") is True

@pytest.mark.parametrize("data", [{"role": "learner", "action": "grant"}, {"role": "root", "action": "grant"},
                                  {"role": "teacher", "action": "delete"}, {}])
def test_odd_role_changes_are_refused(app, client, login_as, create_user, data):
    login_as("admin", username="kepala")
    budi = create_user("budi")
    assert client.post(f"/id/admin/users/{budi}/roles", data=data).status_code == 400
    assert account(app, "budi") == ([], False)


def test_unknown_account_is_404_for_an_admin(client, login_as):
    login_as("admin", username="kepala")
    assert client.post("/id/admin/users/999999/roles", data={"role": "teacher", "action": "grant"}).status_code == 404


def test_other_roles_see_a_friendly_403(client, login_as):
    login_as("teacher")
    response = client.get("/id/admin/users")
    assert response.status_code == 403 and "Halaman ini bukan untuk akunmu" in response.text


def test_the_admin_list_pages_through_many_accounts(app, client, login_as, create_user):
    login_as("admin", username="kepala")
    with app.app_context():
        db.session.add_all(User(username=f"pelajar{n:03}", password_hash="x") for n in range(60))
        db.session.commit()
    first = client.get("/id/admin/users").text
    assert first.count("<strong>") == 50 and 'rel="next" href="/id/admin/users?page=2"' in first
    assert client.get("/id/admin/users?page=2").text.count("<strong>") == 11
    assert client.get("/id/admin/users?page=99").status_code == 200
    assert client.get("/id/admin/users?page=99999999999999999999").status_code == 200
