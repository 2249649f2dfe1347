"""Shared fixtures: the app on SQLite (or PostgreSQL), a client, factories and `login_as`."""

import contextlib
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.frontend import CommandLineInterface
from flask_migrate import upgrade

from saring import content, create_app
from saring.accounts import User, UserRole
from saring.classes import Assignment, Classroom, Membership
from saring.config import PROJECT_ROOT
from saring.editing.models import ContentRevision
from saring.extensions import db
from saring.sessions import SignIn

HERE = Path(__file__).parent
SAMPLES = HERE / "content"
PASSWORD = "kata sandi yang panjang"
DRAFTED_LESSON = "lessons/hoaks/01-jenis-misinformasi.id.md"


def service_missing(why: str):
    """Skip the test for want of a service here; fail it under CI (CI=true), which has every one of them."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: CI has it, so this fails instead of skipping")
    pytest.skip(why)


def pytest_report_header(config):
    """Say which database this run uses, so a skipped PostgreSQL run is never silent."""
    return f"database: {'PostgreSQL' if os.environ.get('SARING_TEST_POSTGRES') else 'SQLite'}"


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs():
    """Compile the translations, as `make run` does, so tests see the current catalogs."""
    CommandLineInterface().run(["pybabel", "compile", "-d", str(HERE.parent / "translations")])


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str):
    """A new, empty PostgreSQL database on `server_url`'s server, dropped afterwards; yields its URL."""
    url = sa.engine.make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this run: SQLite in a temp folder, or a new PostgreSQL database."""
    server = os.environ.get("SARING_TEST_POSTGRES")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with scratch_database(server, "saring_test") as url:
        yield url


def make_app(database_url, **overrides):
    """An app for tests, on the test database and the shipped content unless overridden."""
    config = {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "test secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the real (scrypt) cost is tested once, in test_accounts
        "CONTENT_CACHE_FILE": None,  # tests that want the rendered-output cache give it a file of their own
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per run through the migrations, as a deployment does."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture
def app_config():
    """Per-test settings; override this fixture (or parametrize it) to change them."""
    return {}


@pytest.fixture
def app(database_url, _schema, app_config):
    """The app under test; every table is emptied afterwards."""
    app = make_app(database_url, **app_config)
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def use_content(app):
    """use_content(tree) points the app at another content tree (with lessons/ and quizzes/)."""
    def use(tree):
        app.config.update(CONTENT_LESSONS_DIR=str(tree / "lessons"), CONTENT_QUIZZES_DIR=str(tree / "quizzes"))
        content.init_app(app)
    return use


@pytest.fixture
def sample_copy(tmp_path):
    """A copy of the good sample tree that a test may change."""
    shutil.copytree(SAMPLES / "good", tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def create_user(app):
    """A factory: create_user("ani") stores an account and returns its id."""
    def create(username="ani", password=PASSWORD, locale="id", email=None, role="learner", must_change=False):
        with app.app_context():
            user = User(username=username, locale=locale, email=email, must_change_password=must_change)
            user.roles = [UserRole(role=role)] if role != "learner" else []
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id
    return create


@pytest.fixture
def login_as(client, create_user):
    """login_as("teacher") signs the test client in as a new account with that role; "anonymous" does nothing."""
    def login(role="learner", username="ani", lang="id"):
        if role == "anonymous":
            return None
        user_id = create_user(username, locale=lang, role=role)
        response = client.post(f"/{lang}/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return user_id
    return login


def hidden_fields(html: str) -> dict:
    """The hidden fields of a page's quiz or check form (submission key, version, form), to post it back."""
    return dict(re.findall(r'<input type="hidden" name="(submission_key|quiz_version|form_version|form_id)" '
                           r'value="([^"]*)">', html))


@pytest.fixture
def owned_class(app, create_user, owned_attempt):
    """A class taught by "guru-kelas", with one assigned module and the learner "pemilik" it created."""
    teacher = create_user("guru-kelas", role="teacher")
    with app.app_context():
        classroom = Classroom(teacher_id=teacher, name="8B", join_code="ABCDEF",
                              assignments=[Assignment(module_id="hoaks")])
        db.session.add(classroom)
        db.session.flush()
        learner = db.session.scalar(sa.select(User.id).filter_by(username="pemilik"))
        db.session.add(Membership(classroom_id=classroom.id, user_id=learner, created_here=True))
        db.session.commit()
        return classroom.id


@pytest.fixture
def owned_attempt(client, create_user):
    """An attempt saved by the learner "pemilik" (the owner) on another device; the client forgets it."""
    create_user("pemilik")
    client.post("/id/login", data={"username": "pemilik", "password": PASSWORD})
    form = client.get("/id/modules/hoaks/quiz").text
    data = hidden_fields(form)
    for name in set(re.findall(r'name="(q\d+)"', form)):
        data[name] = re.search(rf'name="{name}" value="(\w)"', form)[1]
    location = client.post("/id/modules/hoaks/quiz", data=data).headers["Location"]
    client.delete_cookie("session")  # put down without logging out: that phone stays signed in
    return int(location.rsplit("/", 1)[1])


def draft_revision(client):
    """A draft of a shipped lesson saved in the editor workspace (made once per test), by its id."""
    with client.application.app_context():
        found = db.session.scalar(sa.select(ContentRevision.id).filter_by(path=DRAFTED_LESSON))
        if found is None:
            draft = ContentRevision(path=DRAFTED_LESSON, text=(PROJECT_ROOT / DRAFTED_LESSON).read_text())
            db.session.add(draft)
            db.session.commit()
            found = draft.id
        return found


def owner_sitting(client):
    """A sitting of the discernment check saved by the learner "pemilik" (made once per test), by its id."""
    from saring.discernment.models import CheckSitting
    with client.application.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(username="pemilik"))
        found = db.session.scalar(sa.select(CheckSitting.id).filter_by(user_id=user_id))
        if found is None:
            sitting = CheckSitting(user_id=user_id, form_id="a", phase="before", lang="id", submission_key="s" * 32,
                                   caught=8, false_items=10, trusted=7, genuine_items=10)
            db.session.add(sitting)
            db.session.commit()
            found = sitting.id
        return found


def owner_id(client):
    """The id of the learner "pemilik"."""
    with client.application.app_context():
        return db.session.scalar(sa.select(User.id).filter_by(username="pemilik"))


def owner_device(client):
    """The id of the sign-in of "pemilik" on the device that saved `owned_attempt`."""
    with client.application.app_context():
        return db.session.scalar(sa.select(sa.func.min(SignIn.id)).join(User, User.id == SignIn.user_id)
                                 .where(User.username == "pemilik"))


def qr_encodes(svg: str, text: str) -> bool:
    """Whether the dark modules drawn by an inline SVG QR code (a path of horizontal strokes) are those of
    a QR code of `text`, at whichever error correction level it was made."""
    import segno
    drawn, x, y = set(), 0.0, 0.0
    path = re.search(r'<path[^>]*\bstroke="[^"]+"[^>]*\bd="([^"]+)"', svg)[1]
    for command, numbers in re.findall(r"([MmHhVv])([-\d.\s]+)", path):
        values = [float(n) for n in numbers.split()]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        elif command == "h":
            drawn |= {(int(x) + n, int(y)) for n in range(int(values[0]))}
            x += values[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    return any(drawn == {(column + 4, row + 4) for row, line in enumerate(code.matrix)
                         for column, dark in enumerate(line) if dark}
               for code in (segno.make_qr(text, error=level, boost_error=False) for level in "LMQH"))
