"""No script injection anywhere: hostile content files, hostile text in every field, CSV formulas."""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.classes import Classroom
from saring.classes.csvfile import spreadsheet_safe
from saring.content import get_library
from saring.extensions import db
from tests.conftest import PASSWORD, SAMPLES, hidden_fields

HOSTILE_TREE = SAMPLES / "hostile"
ROOT = Path(__file__).parent.parent
HOSTILE = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "template": "{{7*7}}",
    "hyperlink": '=HYPERLINK("http://x")',
    "plus": "+cmd",
    "minus": "-1+1",
    "at": "@SUM(1)",
    "right-to-left": "Ani \u202egnp.exe",
    "long": "Panjang " + "a" * 5000,
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCRIPT = re.compile(r"/assets/saring\.[0-9a-f]+\.js")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset",
                  "ping", "cite"}
NEVER_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "svg", "math",
              "template", "noscript", "portal"}
# Saring's own QR code of a join link (saring/classes/qr.py) is the one SVG a page may hold: paths only, inert.
QR_SVG = {"class", "role", "viewbox"}
QR_PARTS = {"title": set(), "path": {"d", "fill", "stroke"}}


class ExecutableParts(HTMLParser):
    """Everything in a page that could run script or load something from elsewhere, as the browser reads it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_qr_code = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg" and attributes.get("class") == "qr" and set(attributes) <= QR_SVG:
            self.in_qr_code = True
            return
        if self.in_qr_code:
            if tag not in QR_PARTS or not set(attributes) <= QR_PARTS[tag]:
                self.found.append(f"<{tag} {sorted(attributes)}> in a QR code")
            return
        if tag in NEVER_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "script" and not SCRIPT.fullmatch(attributes.get("src") or ""):
            self.found.append(f"<script src={attributes.get('src')!r}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append(f"<meta http-equiv={attributes['http-equiv']!r}>")
        if tag == "link" and not same_site(attributes.get("href") or ""):
            self.found.append(f"<link href={attributes.get('href')!r}>")
        if tag == "img" and not re.fullmatch(r"/(media|assets)/[\w./-]+", attributes.get("src") or "/media/x"):
            self.found.append(f"<img src={attributes.get('src')!r}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value is not None:
                plain = re.sub(r"[\x00-\x20]", "", value).lower()
                if plain.startswith(BAD_SCHEMES):
                    self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_qr_code = False


def same_site(address: str) -> bool:
    """A path on this site, or this site's own full address (alternate-language links)."""
    return (address.startswith("/") and not address.startswith("//")) or address.startswith("http://localhost/")


def executable_parts(html: str) -> list[str]:
    parser = ExecutableParts()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_inert(response, where=""):
    """The page (a 2xx/3xx/4xx answer, never a crash) holds nothing that runs or loads from elsewhere."""
    assert response.status_code < 500, where
    found = executable_parts(response.text)
    assert found == [], f"{where or response.request.path}: {found}"


def sign_in(app, username, password=PASSWORD):
    """A separate browser signed in as `username`."""
    browser = app.test_client()
    assert browser.post("/id/login", data={"username": username, "password": password}).status_code == 302
    return browser


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    delimiter = ";" if response.request.path.startswith("/id/") else ","  # what Indonesian Excel expects
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))


def assert_no_formula_cells(rows):
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), cell


# --- the checker itself --------------------------------------------------------------------------------------

@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>",
    '<script src="https://evil.example/x.js"></script>',
    '<img src=x onerror="alert(1)">',
    '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
    '<p style="color:red">x</p>',
    "<iframe src=/id/></iframe>",
    '<meta http-equiv="refresh" content="0;url=/x">',
    '<form action="data:text/html,x"></form>',
    '<svg><circle/></svg>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
])
def test_the_checker_finds_what_would_run(html):
    assert executable_parts(f"<p>before</p>{html}<p>after</p>")


def test_the_checker_accepts_a_plain_page(client):
    response = client.get("/id/modules/hoaks/jenis-misinformasi")
    assert re.search(r'<script src="/assets/saring\.[0-9a-f]+\.js" defer>', response.text)
    assert_inert(response)


# --- templates and scripts ------------------------------------------------------------------------------------

TEMPLATES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_hold_nothing_inline(template):
    text = (ROOT / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "an inline script"
    assert not re.search(r"<style\b", text), "a style element"
    assert not re.search(r"\sstyle\s*=", text), "a style attribute"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler"
    assert "javascript:" not in text.lower()


@pytest.mark.parametrize("script", ["static/saring.js", "templates/offline/sw.js"])
def test_scripts_build_no_markup_and_evaluate_no_strings(script):
    text = (ROOT / script).read_text(encoding="utf-8")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                  "setTimeout(\"", "setInterval(\""):
        assert risky not in text, risky


# --- content files --------------------------------------------------------------------------------------------

@pytest.fixture
def hostile(app, use_content):
    """The app serving tests/content/hostile: a module whose every file tries to run script."""
    use_content(HOSTILE_TREE)
    return app


def test_the_loader_reports_what_it_refused(hostile):
    with hostile.app_context():
        problems = [str(problem) for problem in get_library().problems]
    for lang in ("id", "en"):
        lesson = f"lessons/jebakan/01-markup.{lang}.md"
        assert f"{lesson}:42: link 'JaVaScRiPt:alert(' is neither a web address nor a lesson file (NN-id.md)" \
            in problems
        assert f"{lesson}:44: link 'data:text/html,<script>alert(' is neither a web address nor a lesson file " \
               "(NN-id.md)" in problems
        assert f"{lesson}:50: image 'https://evil.example/pelacak.png' is on another site; put it in the " \
               "module's images/ folder" in problems
        assert f"lessons/jebakan/02-sumber.{lang}.md:5: a source's url must start with https://" in problems
        assert any(p.startswith(f"quizzes/jebakan.{lang}.md:36: question id '\"><script>") for p in problems)


def test_a_lesson_whose_source_runs_script_is_not_served(hostile, client):
    assert client.get("/id/modules/jebakan/sumber").status_code == 404
    assert "javascript" not in client.get("/id/modules/jebakan").text


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", ["/", "/modules", "/modules/jebakan", "/modules/jebakan/markup",
                                  "/modules/jebakan/quiz"])
def test_hostile_content_renders_to_inert_pages(hostile, client, lang, page):
    response = client.get(f"/{lang}{page}")
    assert response.status_code == 200
    assert_inert(response)


def test_hostile_lesson_keeps_its_text_and_shows_its_markup_as_text(hostile, client):
    page = client.get("/id/modules/jebakan/markup").text
    assert "<p>Paragraf aman pertama.</p>" in page and "<p>Teks dengan gaya</p>" in page
    assert "<h1>&lt;script&gt;alert(&#39;judul&#39;)&lt;/script&gt; Markup</h1>" in page
    assert "&lt;a href=javascript:alert(1)&gt;Sumber&lt;/a&gt;" in page  # a source's title is text
    assert '<a href="https://example.org/aman" rel="noopener">Sumber aman</a>' in page
    assert "Kalimat {{ 7*7 }} dan {% raw %}." in page and "Kalimat 49" not in page  # never run as a template
    assert '<img alt="gambar jahat" decoding="async" height="20" loading="lazy" ' \
           'src="/media/jebakan/images/jahat.svg" width="40">' in page


def test_hostile_quiz_shows_its_questions_without_markup(hostile, client):
    page = client.get("/en/modules/jebakan/quiz").text
    assert "&lt;script&gt;alert(&#39;kuis&#39;)&lt;/script&gt; Kuis jebakan" in page
    assert 'value="a"> <span>&lt;b onclick=alert("opsi")&gt;Opsi tebal</span>' in page
    assert page.count('<fieldset class="question"') == 2  # the question with a hostile id is left out


def test_hostile_quiz_result_is_inert(hostile, client, login_as):
    login_as("learner")
    page = client.get("/id/modules/jebakan/quiz").text
    sent = client.post("/id/modules/jebakan/quiz", data={**hidden_fields(page), "q1": "b", "q2": "a"},
                       follow_redirects=True)
    assert sent.status_code == 200 and "/attempts/" in sent.request.path
    assert "<p>Penjelasan </p><p>merah</p>" in sent.text  # the explanations are shown, without their style
    assert_inert(sent)


@pytest.mark.parametrize(("name", "kind"), [("jahat.svg", "image/svg+xml"), ("palsu.png", "image/png")])
def test_lesson_images_never_run_as_pages(hostile, client, name, kind):
    response = client.get(f"/media/jebakan/images/{name}")
    assert response.status_code == 200 and response.mimetype == kind
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # a "png" full of HTML stays an image
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy


def test_teacher_reports_on_hostile_content_are_inert_and_formula_free(hostile, app, client, login_as):
    login_as("teacher", "bu-sari")
    client.post("/id/classes", data={"name": "7A"})
    with app.app_context():
        classroom = db.session.scalar(sa.select(Classroom))
        class_id, code = classroom.id, classroom.join_code
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "jebakan", "due_date": ""})
    learner = app.test_client()
    learner.post("/id/signup", data={"username": "budi", "password": PASSWORD, "confirm": PASSWORD})
    learner.post("/id/join", data={"code": code})
    page = learner.get("/id/modules/jebakan/quiz").text
    learner.post("/id/modules/jebakan/quiz", data={**hidden_fields(page), "q1": "b", "q2": "a"})
    for path in (f"/en/classes/{class_id}", f"/en/classes/{class_id}/report",
                 f"/en/classes/{class_id}/modules/jebakan/items"):
        assert_inert(client.get(path), path)
    report = csv_rows(client.get(f"/en/classes/{class_id}/report.csv"))
    assert report[0][3].startswith("'=HYPERLINK(")  # the module's title heads the columns
    assert_no_formula_cells(report)
    items = csv_rows(client.get(f"/en/classes/{class_id}/modules/jebakan/items.csv"))
    assert items[2][6] == "'=HYPERLINK(\"http://evil.example\",\"klik\")"  # the wrong answer chosen
    assert_no_formula_cells(items)


# --- hostile text typed into forms ----------------------------------------------------------------------------

def test_signup_refuses_hostile_usernames_and_shows_them_escaped(app, client):
    for label, text in HOSTILE.items():
        response = client.post("/id/signup", data={"username": text, "password": PASSWORD, "confirm": PASSWORD})
        assert response.status_code == 200, label  # the form again, with a message
        assert 'class="error"' in response.text, label
        assert_inert(response, label)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.post(
        "/id/signup", data={"username": HOSTILE["script"]}).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_signup_refuses_hostile_emails_and_shows_them_escaped(app, client):
    for number, (label, text) in enumerate(HOSTILE.items()):
        response = client.post("/id/signup", data={"username": f"ani{number}", "email": text,
                                                   "password": PASSWORD, "confirm": PASSWORD})
        assert response.status_code == 200, label
        assert_inert(response, label)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_login_shows_a_hostile_username_escaped(client):
    for label, text in HOSTILE.items():
        response = client.post("/id/login", data={"username": text, "password": "salah sekali"})
        assert response.status_code in (200, 429), label  # the form again (or the guessing limit)
        assert_inert(response, label)


def test_join_code_shows_hostile_text_escaped(client, login_as):
    login_as("learner")
    for label, text in HOSTILE.items():
        typed = client.post("/id/join", data={"code": text})
        assert typed.status_code == 200, label
        assert_inert(typed, label)
        assert_inert(client.get("/id/join/" + text.replace("/", "%2F")), label)


def test_the_admin_search_shows_hostile_text_escaped(client, login_as):
    login_as("admin", "kepala")
    for label, text in HOSTILE.items():
        response = client.get("/id/admin/users", query_string={"q": text, "page": text})
        assert response.status_code == 200, label
        assert_inert(response, label)
    page = client.get("/id/admin/users", query_string={"q": HOSTILE["attribute"]}).text
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page


@pytest.mark.parametrize("path", ["/id/", "/en/modules", "/id/modules/hoaks/jenis-misinformasi", "/id/login",
                                  "/id/signup", "/id/no-such-page"])
def test_hostile_query_strings_are_never_reflected_raw(client, path):
    for label, text in HOSTILE.items():
        response = client.get(path, query_string={"next": text, "q": text, text: text})
        assert_inert(response, label)  # the language switcher keeps the query, escaped


def test_class_fields_refuse_invisible_characters_and_overlong_text(app, client, login_as):
    login_as("teacher", "bu-sari")
    for field in ("name", "school", "grade"):
        form = {"name": "7A", field: HOSTILE["right-to-left"]}
        response = client.post("/id/classes", data=form)
        assert "Ada karakter yang tidak boleh dipakai." in response.text, field
        response = client.post("/id/classes", data={"name": "7A", field: HOSTILE["long"]})
        assert re.search(r"Gunakan paling banyak \d+ karakter\.", response.text), field
        assert_inert(response, field)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Classroom)) == 0


def test_assignment_form_shows_hostile_text_escaped(client, login_as):
    login_as("teacher", "bu-sari")
    client.post("/id/classes", data={"name": "7A"})
    class_id = re.search(r'href="/id/classes/(\d+)"', client.get("/id/classes").text)[1]
    for label, text in HOSTILE.items():
        for form in ({"module": text, "due_date": ""}, {"module": "hoaks", "due_date": text}):
            response = client.post(f"/id/classes/{class_id}/assignments", data=form)
            assert response.status_code == 200, label  # the class page with a message
            assert_inert(response, label)


# --- hostile names stored, then shown everywhere --------------------------------------------------------------

LEARNER_NAMES = [HOSTILE["script"], HOSTILE["attribute"], HOSTILE["hyperlink"], HOSTILE["plus"], HOSTILE["at"],
                 "Budi {{7*7}}", "Siti @SUM(1)"]


@pytest.fixture
def hostile_class(app, client, login_as, create_user):
    """A class named with markup, learners added by names that are markup and formulas, and one who joined."""
    login_as("teacher", "bu-sari")
    created = client.post("/id/classes", data={"name": HOSTILE["script"], "school": HOSTILE["attribute"],
                                               "grade": "{{7*7}}"}, follow_redirects=True)
    assert created.status_code == 200
    assert_inert(created, "the new class")
    with app.app_context():
        classroom = db.session.scalar(sa.select(Classroom))
        class_id, code = classroom.id, classroom.join_code
    cards = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "\n".join(LEARNER_NAMES)})
    assert cards.status_code == 200 and cards.text.count('class="login-card"') == len(LEARNER_NAMES)
    assert_inert(cards, "the login cards")
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": ""})
    create_user("ani")
    learner = sign_in(app, "ani")
    assert learner.post("/id/join", data={"code": code}).status_code == 302
    with app.app_context():
        ids = dict(db.session.execute(sa.select(User.display_name, User.id)).all())
    return class_id, code, learner, ids


def test_stored_names_are_escaped_on_every_teacher_page(client, hostile_class):
    class_id, _code, _learner, ids = hostile_class
    pages = ["/id/classes", f"/id/classes/{class_id}", f"/id/classes/{class_id}/report",
             f"/id/classes/{class_id}/report?sort=name&order=desc", f"/en/classes/{class_id}/report?sort=hoaks",
             f"/id/classes/{class_id}/modules/hoaks/items"]
    pages += [f"/id/classes/{class_id}/learners/{user_id}" for name, user_id in ids.items() if name]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(response, path)
    page = client.get(f"/id/classes/{class_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Budi {{7*7}}" in page and "Budi 49" not in page


def test_stored_names_are_escaped_on_the_learners_pages(hostile_class):
    _class_id, code, learner, _ids = hostile_class
    for path in ("/id/", "/en/", "/id/modules", "/id/join", f"/id/join/{code}", "/id/account"):
        response = learner.get(path)
        assert response.status_code == 200, path
        assert_inert(response, path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in learner.get("/id/").text  # the class of an assignment


def test_a_reset_password_card_shows_the_name_escaped(app, client, hostile_class):
    class_id, _code, _learner, ids = hostile_class
    card = client.post(f"/id/classes/{class_id}/learners/{ids[HOSTILE['attribute']]}/password")
    assert card.status_code == 200
    assert_inert(card)


def test_the_admin_accounts_page_shows_stored_names_escaped(app, hostile_class, create_user):
    create_user("kepala", role="admin")
    admin = sign_in(app, "kepala")
    for query in ("", "script", "img"):
        response = admin.get("/id/admin/users", query_string={"q": query})
        assert response.status_code == 200
        assert_inert(response, query)


def test_the_class_report_csv_neutralises_every_formula(client, hostile_class):
    class_id, *_ = hostile_class
    rows = csv_rows(client.get(f"/id/classes/{class_id}/report.csv"))
    assert_no_formula_cells(rows)
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names and "'+cmd" in names and "'@SUM(1)" in names
    assert HOSTILE["script"] in names and "Siti @SUM(1)" in names  # plain text stays as typed


def test_names_from_a_csv_file_are_stored_as_text(app, client, login_as):
    login_as("teacher", "bu-sari")
    client.post("/id/classes", data={"name": "7A"})
    class_id = re.search(r'href="/id/classes/(\d+)"', client.get("/id/classes").text)[1]
    upload = io.StringIO()
    csv.writer(upload).writerows([["Nama"], [HOSTILE["hyperlink"]], [HOSTILE["attribute"]], ["=1+1"]])
    response = client.post(f"/id/classes/{class_id}/learners/new",
                           data={"file": (io.BytesIO(upload.getvalue().encode()), "kelas.csv")})
    assert response.status_code == 200
    assert_inert(response)
    assert "Nama ke-3 (=1+1) tidak berisi huruf" in response.text  # refused whole, with the line named
    with app.app_context():
        assert db.session.scalars(sa.select(User.display_name).where(User.display_name.is_not(None))).all() == []


def test_hostile_text_is_refused_in_learner_names(app, client, login_as):
    login_as("teacher", "bu-sari")
    client.post("/id/classes", data={"name": "7A"})
    class_id = re.search(r'href="/id/classes/(\d+)"', client.get("/id/classes").text)[1]
    for label in ("template", "minus", "right-to-left", "long"):
        response = client.post(f"/id/classes/{class_id}/learners/new", data={"names": HOSTILE[label]})
        assert response.status_code == 200 and 'class="error"' in response.text, label
        assert "login-card" not in response.text, label
        assert_inert(response, label)


# --- CSV cells ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+cmd", "-1+1", "@SUM(1)", "\t=1", "\r=1", "\n=1",
                                  "  =1+1", "\uff1d1+1", "\uff0bcmd", "\uff20SUM(1)"])
def test_text_that_would_run_as_a_formula_is_quoted(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Siti Nur'aini", "a=b", "7A", "", 12, -3, 4.5, "2026-11-21 08:00"])
def test_other_cells_are_left_as_they_are(value):
    assert spreadsheet_safe(value) == value
