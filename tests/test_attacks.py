"""Playing the attacker across every route: forged requests, odd input in every form, other people's ids.

The routes come from the access matrix (tests/test_access.py), and the forms from the pages themselves,
so a new route or form is attacked as soon as it exists.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from saring.classes import Classroom, Membership
from saring.config import PROJECT_ROOT
from saring.content import get_library
from saring.editing.models import ContentRevision
from saring.extensions import db
from saring.learning import LessonProgress
from tests.conftest import PASSWORD, draft_revision, owner_device, owner_id, owner_sitting
from tests.test_access import ACCOUNTS, MATRIX

POSTS = sorted(endpoint for endpoint, (method, _path, _expected) in MATRIX.items() if method == "POST")
HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "ani\x00budi",
    "\u202egnp.exe",
    "\u200b\u200b",
    "😀" * 40,
    "e\u0301" * 200,
    "Ｓａｒｉｎｇ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "=HYPERLINK(\"http://x\")",
    "%s%n{0}{{7*7}}",
    "../../etc/passwd",
    "line\r\nSet-Cookie: x=1",
    "-1",
    "2147483648",
]


def snapshot() -> dict:
    """Every row of every table, to compare before and after an attack."""
    return {table.name: sorted(map(tuple, db.session.execute(sa.select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


def values_for(client) -> dict:
    favicon = client.application.extensions["saring.assets"].hashed["favicon.svg"].split(".")[1]
    return {"owner": owner_id(client), "favicon": favicon, "device": owner_device(client),
            "revision": draft_revision(client), "sitting": owner_sitting(client)}


def sign_in(client, login_as, role):
    if role in ACCOUNTS:
        client.post("/id/login", data={"username": ACCOUNTS[role], "password": PASSWORD})
    else:
        login_as(role, username="lain")


@pytest.mark.parametrize("role", ["anonymous", "owner", "class-teacher", "admin"])
@pytest.mark.parametrize("endpoint", POSTS)
def test_no_state_changes_without_the_forms_token(app, client, login_as, owned_attempt, owned_class, endpoint, role):
    """Cross-site request forgery: a POST without the session's token, or with another session's, changes nothing."""
    sign_in(client, login_as, role)
    app.config["WTF_CSRF_ENABLED"] = True  # read per request: the fixtures above posted without tokens
    _method, path, _expected = MATRIX[endpoint]
    address = path.format(attempt=owned_attempt, classroom=owned_class, **values_for(client))
    stranger = app.test_client()
    stranger.get("/id/login")
    foreign = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', stranger.get("/id/login").text)[1]
    with app.app_context():
        before = snapshot()
    for data in ({}, {"csrf_token": foreign}, {"csrf_token": "x" * 91}):
        response = client.post(address, data=data)
        assert response.status_code == 400, (endpoint, data)
    with app.app_context():
        assert snapshot() == before


class Forms(HTMLParser):
    """The POST forms of a page: action, and each field with a value a person would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}, "text": []})
        elif self.forms and tag in ("input", "textarea", "select") and attrs.get("name"):
            form, name = self.forms[-1], attrs["name"]
            kind = attrs.get("type", "text" if tag != "select" else "select")
            if kind in ("radio", "checkbox") and name in form["fields"]:
                return
            form["fields"][name] = attrs.get("value", "")
            if kind in ("text", "search", "email", "password", "date", "textarea", "url", "tel", "number") \
                    or tag == "textarea":
                form["text"].append(name)
        elif self.forms and tag == "option" and attrs.get("value") and self.forms[-1]["fields"]:
            name = list(self.forms[-1]["fields"])[-1]
            self.forms[-1]["fields"][name] = self.forms[-1]["fields"][name] or attrs["value"]


def forms_on(client, path) -> list[dict]:
    parser = Forms()
    parser.feed(client.get(path).text)
    return parser.forms


# the forms that end the session or the account: attacked through the CSRF test above, not by filling them
LEAVES = re.compile(r"/(logout|delete)\b")


@pytest.mark.parametrize("role", ["owner", "class-teacher", "admin"])
def test_odd_input_in_every_form_gets_an_answer_never_an_error(app, client, login_as, owned_attempt, owned_class,
                                                               role):
    """Every text field of every form the role can reach, filled with hostile text: a message, never a 500."""
    sign_in(client, login_as, role)
    pages = sorted({path.format(attempt=owned_attempt, classroom=owned_class, **values_for(client))
                    for method, path, expected in MATRIX.values()
                    if method == "GET" and expected[role] == (200, None)})
    attacked = 0
    for page in pages:
        for form in forms_on(client, page):
            action = form["action"] or page
            if LEAVES.search(action) or not form["text"]:
                continue
            for field in form["text"]:
                for value in HOSTILE:
                    response = client.post(action, data={**form["fields"], field: value})
                    attacked += 1
                    assert response.status_code < 500, (page, action, field, value)
                    assert "<script>alert(1)</script>" not in response.text
                    assert "<img src=x onerror" not in response.text
    assert attacked > len(HOSTILE) * 3, "the forms were found and filled"
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                for value in row:
                    if isinstance(value, str):
                        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", value), \
                            (table.name, value[:40])


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/%2F%2Fevil.example", " //evil.example", "\t//evil.example", "//evil.example@saring",
    "https:/evil.example", "/id/../../evil", "data:text/html,<script>alert(1)</script>",
])
@pytest.mark.parametrize("form", ["login", "signup"])
def test_after_signing_in_the_learner_never_leaves_the_site(client, create_user, form, target):
    """Open redirects: whatever `next` says, the answer's Location is a path on this site."""
    create_user("ani")
    data = {"username": "ani", "password": PASSWORD} if form == "login" else \
        {"username": "budi", "password": PASSWORD, "confirm": PASSWORD}
    response = client.post(f"/id/{form}", query_string={"next": target}, data=data)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert not location.scheme and not location.netloc
    assert location.path.startswith("/") and not location.path.startswith("//")


def test_a_teacher_cannot_reach_learners_outside_their_class_through_their_own_class(app, client, login_as,
                                                                                    owned_class, create_user):
    """Another learner's id under the teacher's own class id: 404, and nothing changes."""
    stranger = create_user("orang-lain")
    other_teacher = create_user("guru-lain", role="teacher")
    with app.app_context():
        elsewhere = Classroom(teacher_id=other_teacher, name="9A", join_code="GHJKMN")
        db.session.add(elsewhere)
        db.session.flush()
        db.session.add(Membership(classroom_id=elsewhere.id, user_id=stranger, created_here=True))
        db.session.commit()
    client.post("/id/login", data={"username": "guru-kelas", "password": PASSWORD})
    with app.app_context():
        before = snapshot()
    for method, path in [("GET", "/id/classes/{c}/learners/{u}"), ("POST", "/id/classes/{c}/learners/{u}/password"),
                         ("POST", "/id/classes/{c}/learners/{u}/remove")]:
        response = client.open(path.format(c=owned_class, u=stranger), method=method)
        assert response.status_code == 404, path
    with app.app_context():
        assert snapshot() == before


def form_token(client, path):
    """The CSRF token of the first form on the page at `path`."""
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', client.get(path).text)[1]


def test_signing_in_or_out_starts_a_new_session_with_a_new_form_token(app, client, create_user):
    """A token known from before signing in (planted, or read off a shared phone) is refused afterwards, and
    forms left by the previous account on a phone (answers waiting offline) never land in the next one's."""
    create_user("ani")
    create_user("budi")
    app.config["WTF_CSRF_ENABLED"] = True
    before = form_token(client, "/id/login")
    client.post("/id/login", data={"username": "ani", "password": PASSWORD, "csrf_token": before})
    assert client.post("/id/account/language", data={"locale": "en", "csrf_token": before}).status_code == 400
    left_by_ani = form_token(client, "/id/modules/hoaks/jenis-misinformasi")
    client.post("/id/logout", data={"csrf_token": left_by_ani})
    client.post("/id/login", data={"username": "budi", "password": PASSWORD,
                                   "csrf_token": form_token(client, "/id/login")})
    done = client.post("/id/modules/hoaks/jenis-misinformasi/done", data={"csrf_token": left_by_ani})
    assert done.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 0


@pytest.mark.parametrize("role", ["anonymous", "learner", "owner", "teacher"])
def test_drafts_sources_and_answers_never_reach_anyone_outside_the_editors(app, client, login_as, role):
    """A draft of a quiz (its key and explanations in the source) stays in the workspace, for every address."""
    quiz = "quizzes/hoaks.id.md"
    secret = "Penjelasan rahasia untuk uji"
    draft_text = (PROJECT_ROOT / quiz).read_text().replace("\n    ", f"\n    {secret} ", 1)
    with app.app_context():
        draft = ContentRevision(path=quiz, text=draft_text)
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    if role == "owner":
        sign_in(client, login_as, "learner")
    elif role != "anonymous":
        login_as(role, username="lain")
    addresses = [path.format(revision=draft_id) for endpoint, (method, path, _e) in MATRIX.items()
                 if endpoint.startswith("editor.") and method == "GET"] + \
        [f"/id/editor/files/{quiz}", f"/id/editor/files/{quiz}?revision={draft_id}", f"/id/editor/history/{quiz}",
         f"/id/editor/revisions/{draft_id}/preview?lang=id", "/id/modules/hoaks/quiz", "/id/modules/hoaks/saved.json"]
    for address in addresses:
        response = client.get(address)
        assert response.status_code in (200, 302, 403), address
        assert secret not in response.text, address
        assert "- [x]" not in response.text, address


@pytest.mark.parametrize("role", ["owner", "learner", "teacher", "class-teacher"])
def test_a_worksheet_never_carries_an_answer_or_an_explanation(app, client, login_as, owned_attempt, owned_class,
                                                               role):
    """Every module's worksheet, for whoever can open it, holds no explanation, no right answer and no question
    id; its answer key opens for the class's own teacher only."""
    sign_in(client, login_as, role)
    with app.app_context():
        modules = get_library().modules
    for module in modules:
        for lang in ("id", "en"):
            base = f"/{lang}/classes/{owned_class}/modules/{module.id}"
            worksheet = client.get(f"{base}/worksheet")
            assert worksheet.status_code == (200 if role == "class-teacher" else 404 if role == "teacher" else 403)
            for question in module.quiz.text(lang)[0].questions:
                assert f'="{question.id}"' not in worksheet.text  # (an image may share its name)
                for option in question.options:
                    assert option.explanation_html not in worksheet.text, (module.id, question.id, option.id)
            assert "key-right" not in worksheet.text and "✓" not in worksheet.text
            key = client.get(f"{base}/answer-key")
            assert key.status_code == worksheet.status_code
            if role != "class-teacher":
                assert "key-right" not in key.text
