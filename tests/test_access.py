"""Every route against every role: who may see what, and what everyone else gets."""

import pytest

from tests.conftest import DRAFTED_LESSON, PASSWORD, draft_revision, owner_device, owner_id, owner_sitting

# "owner" saved the attempt below; "class-teacher" teaches the class below; "teacher" teaches another class.
ROLES = ("anonymous", "learner", "owner", "teacher", "class-teacher", "editor", "admin")
ACCOUNTS = {"owner": "pemilik", "class-teacher": "guru-kelas"}
SIGNED_IN = ROLES[1:]


def signed_in(status, location=None, **others):
    """The same answer for every signed-in role, with `others` for anonymous or a particular role."""
    return {**dict.fromkeys(SIGNED_IN, (status, location)), **others}


def only_teachers(other_teacher, class_teacher, anonymous_next):
    """Class pages: 403 for non-teachers, 404 for another teacher, the class's own teacher gets through."""
    return {**dict.fromkeys(SIGNED_IN, (403, None)), "teacher": other_teacher, "class-teacher": class_teacher,
            "anonymous": (302, f"/id/login?next={anonymous_next}")}


def only_admin(method_status, location=None):
    """Admins get `method_status`; other signed-in roles 403; visitors go to log in."""
    return {**dict.fromkeys(SIGNED_IN, (403, None)), "admin": (method_status, location)}
ATTEMPT = "/id/modules/hoaks/quiz/attempts/{attempt}"


def only_editors(status, location, path):
    """The editor workspace: editors and admins get `status`; other signed-in roles 403; visitors log in."""
    return {**dict.fromkeys(SIGNED_IN, (403, None)), "editor": (status, location), "admin": (status, location),
            "anonymous": (302, "/id/login?next=" + path.replace("/", "%2F").replace("?", "%3F")
                          .replace("=", "%3D"))}


EDITED = f"/id/editor/files/{DRAFTED_LESSON}"
HISTORY = f"/id/editor/history/{DRAFTED_LESSON}"
REVISION = "/id/editor/revisions/{revision}"

# endpoint: (method, path, {role: (status, where a redirect goes, or None)})
MATRIX = {
    "site.root": ("GET", "/", dict.fromkeys(ROLES, (302, "/id/"))),  # every account here reads in Indonesian
    "site.healthz": ("GET", "/healthz", dict.fromkeys(ROLES, (200, None))),
    "site.favicon": ("GET", "/favicon.ico", dict.fromkeys(ROLES, (301, "/assets/favicon.{favicon}.svg"))),
    "assets.file": ("GET", "/assets/favicon.{favicon}.svg", dict.fromkeys(ROLES, (200, None))),
    "learn.home": ("GET", "/id/", dict.fromkeys(ROLES, (200, None))),
    "learn.modules": ("GET", "/en/modules", dict.fromkeys(ROLES, (200, None))),
    "learn.learning_path": ("GET", "/id/paths/orang-tua", dict.fromkeys(ROLES, (200, None))),
    "learn.module": ("GET", "/id/modules/hoaks", dict.fromkeys(ROLES, (200, None))),
    "learn.lesson": ("GET", "/en/modules/hoaks/jenis-misinformasi", dict.fromkeys(ROLES, (200, None))),
    "learn.media": ("GET", "/media/hoaks/images/tiga-istilah-id.svg", dict.fromkeys(ROLES, (200, None))),
    "learn.mark_done": ("POST", "/id/modules/hoaks/jenis-misinformasi/done", signed_in(
        302, "/id/modules/hoaks/kenapa-kita-menyebar",
        anonymous=(302, "/id/login?next=/id/modules/hoaks/jenis-misinformasi"))),
    "quiz.take": ("GET", "/id/modules/hoaks/quiz", dict.fromkeys(ROLES, (200, None))),
    "discernment.take": ("GET", "/id/check", dict.fromkeys(ROLES, (200, None))),
    "reviews.review": ("GET", "/id/review", signed_in(200, anonymous=(302, "/id/login?next=%2Fid%2Freview"))),
    "reviews.results": ("GET", "/id/review/results/" + "a" * 32, signed_in(
        200, anonymous=(302, "/id/login?next=%2Fid%2Freview%2Fresults%2F" + "a" * 32))),
    "discernment.result": ("GET", "/id/check/sittings/{sitting}", {**dict.fromkeys(ROLES, (404, None)),
                                                                   "owner": (200, None)}),
    "quiz.result": ("GET", ATTEMPT, {**dict.fromkeys(ROLES, (404, None)), "owner": (200, None)}),
    "accounts.signup": ("GET", "/id/signup", signed_in(302, "/id/", anonymous=(200, None))),
    "accounts.login": ("GET", "/en/login", signed_in(302, "/en/", anonymous=(200, None))),
    "accounts.logout": ("POST", "/id/logout", dict.fromkeys(ROLES, (302, "/id/"))),
    "accounts.account": ("GET", "/id/account", signed_in(200, anonymous=(302, "/id/login?next=%2Fid%2Faccount"))),
    "accounts.set_language": ("POST", "/id/account/language", signed_in(
        200, anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Flanguage"))),
    # only right after signing in with a first password (test_accounts.py); others change theirs on the account page
    "accounts.first_password": ("GET", "/id/account/first-password", signed_in(
        302, "/id/account", anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Ffirst-password"))),
    "accounts.change_password": ("POST", "/id/account/password", signed_in(
        200, anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Fpassword"))),
    "classes.classes": ("GET", "/id/classes", only_teachers((200, None), (200, None), "%2Fid%2Fclasses")),
    "classes.classroom": ("GET", "/id/classes/{classroom}", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}")),
    "classes.new_code": ("POST", "/id/classes/{classroom}/code", only_teachers(
        (404, None), (302, "/id/classes/{classroom}"), "%2Fid%2Fclasses%2F{classroom}%2Fcode")),
    "classes.joining": ("POST", "/id/classes/{classroom}/joining", only_teachers(
        (404, None), (302, "/id/classes/{classroom}"), "%2Fid%2Fclasses%2F{classroom}%2Fjoining")),
    "classes.assign": ("POST", "/id/classes/{classroom}/assignments", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fassignments")),
    "classes.unassign": ("POST", "/id/classes/{classroom}/assignments/hoaks/remove", only_teachers(
        (404, None), (302, "/id/classes/{classroom}"),
        "%2Fid%2Fclasses%2F{classroom}%2Fassignments%2Fhoaks%2Fremove")),
    "classes.add_learners": ("GET", "/id/classes/{classroom}/learners/new", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Flearners%2Fnew")),
    "classes.reset_password": ("POST", "/id/classes/{classroom}/learners/{owner}/password", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Flearners%2F{owner}%2Fpassword")),
    "classes.report": ("GET", "/id/classes/{classroom}/report", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Freport")),
    "classes.report_csv": ("GET", "/id/classes/{classroom}/report.csv", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Freport.csv")),
    "classes.learner": ("GET", "/id/classes/{classroom}/learners/{owner}", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Flearners%2F{owner}")),
    "classes.items": ("GET", "/id/classes/{classroom}/modules/hoaks/items", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fitems")),
    "classes.items_csv": ("GET", "/id/classes/{classroom}/modules/hoaks/items.csv", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fitems.csv")),
    "classes.worksheet": ("GET", "/id/classes/{classroom}/modules/hoaks/worksheet", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fworksheet")),
    "classes.answer_key": ("GET", "/id/classes/{classroom}/modules/hoaks/answer-key", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fanswer-key")),
    "classes.paper_quiz": ("GET", "/id/classes/{classroom}/modules/hoaks/paper", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fpaper")),
    # an empty form: refused with a message, nothing recorded
    "classes.record_paper": ("POST", "/id/classes/{classroom}/modules/hoaks/paper", only_teachers(
        (404, None), (400, None), "%2Fid%2Fclasses%2F{classroom}%2Fmodules%2Fhoaks%2Fpaper")),
    "classes.check": ("GET", "/id/classes/{classroom}/check", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fcheck")),
    "classes.check_csv": ("GET", "/id/classes/{classroom}/check.csv", only_teachers(
        (404, None), (200, None), "%2Fid%2Fclasses%2F{classroom}%2Fcheck.csv")),
    "classes.join": ("GET", "/id/join", signed_in(200, anonymous=(302, "/id/login?next=%2Fid%2Fjoin"))),
    "classes.remove_learner": ("POST", "/id/classes/{classroom}/learners/{owner}/remove", only_teachers(
        (404, None), (302, "/id/classes/{classroom}"),
        "%2Fid%2Fclasses%2F{classroom}%2Flearners%2F{owner}%2Fremove")),
    # only a member can leave: the owner is in the class, nobody else is
    "classes.leave": ("POST", "/id/classes/{classroom}/leave", signed_in(
        404, owner=(302, "/id/join"), anonymous=(302, "/id/login?next=%2Fid%2Fclasses%2F{classroom}%2Fleave"))),
    # the owner's other device: only the owner may sign it out
    "sessions.end_device": ("POST", "/id/account/devices/{device}/end", signed_in(
        404, owner=(302, "/id/account"), anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Fdevices%2F{device}%2Fend"))),
    "sessions.end_every_device": ("POST", "/id/account/devices/end", signed_in(
        302, "/id/", anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Fdevices%2Fend"))),
    "privacy.export_data": ("GET", "/id/account/data.json", signed_in(
        200, anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Fdata.json"))),
    "privacy.delete_account": ("GET", "/id/account/delete", signed_in(
        200, anonymous=(302, "/id/login?next=%2Fid%2Faccount%2Fdelete"))),
    "offline.manifest": ("GET", "/id/manifest.webmanifest", dict.fromkeys(ROLES, (200, None))),
    "offline.service_worker": ("GET", "/sw.js", dict.fromkeys(ROLES, (200, None))),
    "offline.offline_page": ("GET", "/en/offline", dict.fromkeys(ROLES, (200, None))),
    "offline.saved_module": ("GET", "/id/modules/hoaks/saved.json", dict.fromkeys(ROLES, (200, None))),
    "editor.index": ("GET", "/id/editor/", only_editors(200, None, "/id/editor/")),
    "editor.items": ("GET", "/id/editor/items", only_editors(200, None, "/id/editor/items")),
    "editor.file": ("GET", EDITED, only_editors(200, None, EDITED)),
    "editor.save": ("POST", EDITED, only_editors(200, None, EDITED)),  # no button: a check
    "editor.file_history": ("GET", HISTORY, only_editors(200, None, HISTORY)),
    "editor.back_to_file": ("POST", f"{HISTORY}/file", only_editors(302, HISTORY, f"{HISTORY}/file")),
    "editor.revision": ("GET", REVISION, only_editors(200, None, REVISION)),
    "editor.preview": ("GET", f"{REVISION}/preview", only_editors(200, None, f"{REVISION}/preview")),
    "editor.revert": ("POST", f"{REVISION}/revert", only_editors(302, HISTORY, f"{REVISION}/revert")),
    "editor.upload": ("POST", "/id/editor/upload", only_editors(302, "/id/editor/", "/id/editor/upload")),
    "editor.drafts": ("GET", "/id/editor/drafts?ids={revision}", only_editors(
        200, None, "/id/editor/drafts?ids={revision}")),
    "editor.publish_drafts": ("POST", "/id/editor/drafts", only_editors(404, None, "/id/editor/drafts")),
    "admin.check": ("GET", "/id/admin/check", {
        **only_admin(200), "anonymous": (302, "/id/login?next=%2Fid%2Fadmin%2Fcheck")}),
    "admin.users": ("GET", "/id/admin/users", {
        **only_admin(200), "anonymous": (302, "/id/login?next=%2Fid%2Fadmin%2Fusers")}),
    "admin.change_role": ("POST", "/id/admin/users/{owner}/roles", {
        **only_admin(400), "anonymous": (302, "/id/login?next=%2Fid%2Fadmin%2Fusers%2F{owner}%2Froles")}),
}


def test_every_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_role_as_expected(client, login_as, owned_attempt, owned_class, endpoint, role):
    method, path, expected = MATRIX[endpoint]
    if role in ACCOUNTS:
        client.post("/id/login", data={"username": ACCOUNTS[role], "password": PASSWORD})
    else:
        login_as(role, username="lain")
    favicon = client.application.extensions["saring.assets"].hashed["favicon.svg"].split(".")[1]
    values = {"attempt": owned_attempt, "owner": owner_id(client), "classroom": owned_class, "favicon": favicon,
              "device": owner_device(client), "revision": draft_revision(client), "sitting": owner_sitting(client)}
    with client.open(path.format(**values), method=method) as response:
        status, location = expected[role]
        assert response.status_code == status
        if location:
            assert response.headers["Location"] == location.format(**values)


# what an account with a first password (from a teacher or an admin) may open before choosing its own, besides the
# page that chooses it
FIRST_PASSWORD_OPENS = {"accounts.logout", "assets.file", "site.favicon", "site.healthz", "offline.service_worker",
                        "offline.manifest"}


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_a_first_password_opens_only_the_page_to_choose_ones_own(client, create_user, owned_attempt, owned_class,
                                                                  endpoint):
    """Until its owner chooses a password, a first password reaches nothing else, whatever the route."""
    create_user("baru", must_change=True)
    client.post("/id/login", data={"username": "baru", "password": PASSWORD})
    method, path, expected = MATRIX[endpoint]
    favicon = client.application.extensions["saring.assets"].hashed["favicon.svg"].split(".")[1]
    values = {"attempt": owned_attempt, "owner": owner_id(client), "classroom": owned_class, "favicon": favicon,
              "device": owner_device(client), "revision": draft_revision(client), "sitting": owner_sitting(client)}
    with client.open(path.format(**values), method=method) as response:
        if endpoint == "accounts.first_password":
            assert response.status_code == 200
        elif endpoint in FIRST_PASSWORD_OPENS:
            assert response.status_code == expected["learner"][0]
        else:
            assert response.status_code == 302
            lang = "en" if path.startswith("/en/") else "id"  # the page's language, else the account's
            assert response.headers["Location"] == f"/{lang}/account/first-password"
