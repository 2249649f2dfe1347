"""Database faults and error pages: 503 while the database is locked or unreachable, recovery without a
restart, and 404/500 pages in both languages that never show a trace."""

import concurrent.futures
import contextlib
import os
import re
import socket
import sqlite3
import threading

import pytest
import sqlalchemy as sa

import saring.accounts
from saring.accounts import User
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from tests.conftest import PASSWORD, make_app

BUSY = {"id": ("Saring sedang sibuk", "Coba lagi dalam semenit."),
        "en": ("Saring is busy", "Try again in a minute.")}
LEAKS = ("Traceback", "OperationalError", "sqlite", "psycopg", "locked", "SELECT", "INSERT")


def free_port() -> int:
    """A local port nothing listens on (so connecting to it is refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_lesson(app):
    """The ids of the first module and its first lesson."""
    with app.app_context():
        module = get_library().modules[0]
        return module.id, module.lessons[0].id


def assert_busy_page(response, lang):
    """A 503 page in `lang` that asks to come back, says when, and shows nothing of the error."""
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert f'<html lang="{lang}">' in response.text
    for text in BUSY[lang]:
        assert text in response.text
    for leak in LEAKS:
        assert leak not in response.text


@pytest.fixture
def locked_app(tmp_path):
    """An app on a SQLite file of its own (whatever this run's database) that waits only 50 ms for a lock."""
    path = tmp_path / "locked.sqlite3"
    app = make_app(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=50)
    with app.app_context():
        db.create_all()
        user = User(username="ani", locale="id")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    yield app, path
    with app.app_context():
        db.engine.dispose()


@contextlib.contextmanager
def write_lock(path):
    """Another process's connection holding SQLite's write lock until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_locked_sqlite_answers_503_in_the_learners_language_then_recovers(locked_app, lang, caplog):
    app, path = locked_app
    client = app.test_client()
    assert client.post(f"/{lang}/login", data={"username": "ani", "password": PASSWORD}).status_code == 302
    module_id, lesson_id = first_lesson(app)
    done = f"/{lang}/modules/{module_id}/{lesson_id}/done"

    with write_lock(path):
        caplog.clear()
        assert_busy_page(client.post(done), lang)
        [logged] = [record for record in caplog.records if record.getMessage() == "database unavailable"]
        assert logged.fields == {"exception": "OperationalError", "reason": "locked", "detail": "database is locked"}
        assert logged.exc_info is None  # a fault of the database, not of the code: no trace
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json == {"app": "ok", "database": "OperationalError", "reason": "locked"}
        assert client.get(f"/{lang}/modules").status_code == 200  # readers are not held up by a writer

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0
    # the lock is gone: the same app, without a restart, saves the same form
    assert client.post(done).status_code == 302
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(LessonProgress.lesson_id)).all() == [lesson_id]


def test_an_unreachable_database_answers_503_and_healthz_says_why():
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/saring")
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"app": "ok", "database": "OperationalError", "reason": "unreachable"}
    assert_busy_page(client.post("/en/login", data={"username": "ani", "password": PASSWORD}), "en")
    with client.session_transaction() as session:
        session["_user_id"] = "1:" + "k" * 32  # a signed-in learner's session: their pages need the database
    assert_busy_page(client.get("/id/"), "id")
    with app.app_context():
        db.engine.dispose()


def test_a_visitor_still_reads_lessons_while_the_database_is_unreachable():
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/saring")
    module_id, lesson_id = first_lesson(app)
    response = app.test_client().get(f"/id/modules/{module_id}/{lesson_id}")
    assert response.status_code == 200
    with app.app_context():
        db.engine.dispose()


class CuttableProxy:
    """A TCP relay to the database server that the test can cut (every connection drops) and open again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def open(self) -> None:
        """Listen (again) on the same port."""
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        self._start(self._accept, self.listener)

    def cut(self) -> None:
        """Stop listening and drop every connection, as a database server that goes down."""
        with self.lock:
            sockets, self.sockets = [self.listener, *self.sockets], []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self.threads:
            thread.join(timeout=10)
        self.threads = []

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            self._start(self._pump, client, server)
            self._start(self._pump, server, client)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@pytest.mark.skipif(not os.environ.get("SARING_TEST_POSTGRES"), reason="needs PostgreSQL (SARING_TEST_POSTGRES)")
def test_the_app_recovers_by_itself_when_postgresql_comes_back(app, database_url, create_user):
    create_user("ani", locale="en")
    url = sa.engine.make_url(database_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.open()
    relayed = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    client = relayed.test_client()
    module_id, lesson_id = first_lesson(relayed)
    try:
        assert client.post("/en/login", data={"username": "ani", "password": PASSWORD}).status_code == 302
        assert client.get("/en/").status_code == 200  # the pool now holds a connection through the proxy

        proxy.cut()
        assert_busy_page(client.get("/en/modules"), "en")
        balancer = relayed.test_client()  # a load balancer's check comes without a session
        assert balancer.get("/healthz").json["reason"] == "unreachable"

        proxy.open()  # the server is back: no restart, the same session goes on
        assert balancer.get("/healthz").status_code == 200
        assert client.post(f"/en/modules/{module_id}/{lesson_id}/done").status_code == 302
        assert client.get("/en/modules").status_code == 200
    finally:
        with relayed.app_context():
            db.engine.dispose()
        proxy.cut()
    with app.app_context():
        assert db.session.scalars(sa.select(LessonProgress.lesson_id)).all() == [lesson_id]


@pytest.mark.parametrize(("lang", "title"), [("id", "Halaman tidak ditemukan"), ("en", "Page not found")])
def test_not_found_page_in_both_languages(client, lang, title):
    response = client.get(f"/{lang}/no/such/page")
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in response.text and title in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("lang", "title"), [("id", "Ada yang tidak beres"), ("en", "Something went wrong")])
def test_a_failing_view_shows_the_500_page_without_the_error(app, client, lang, title, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken_view(**_kwargs):
        raise RuntimeError("SECRET_KEY=hunter2 in /srv/saring/app.py")

    app.view_functions["learn.modules"] = broken_view
    response = client.get(f"/{lang}/modules")
    assert response.status_code == 500
    assert f'<html lang="{lang}">' in response.text and title in response.text
    for leak in ("hunter2", "SECRET_KEY", "RuntimeError", "Traceback", "app.py"):
        assert leak not in response.text
    [logged] = [record for record in caplog.records if record.exc_info]
    assert logged.exc_info[0] is RuntimeError  # the trace goes to the log only


def test_a_database_fault_after_the_view_still_answers_503(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request
    def database_gone(_response):
        raise sa.exc.OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    assert_busy_page(client.get("/id/modules"), "id")


@contextlib.contextmanager
def stalled_server():
    """A port that takes connections and never answers, as a Redis stopped with SIGSTOP (or cut off) does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel accepts into the backlog; nothing ever reads or replies
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def finishes(work, seconds):
    """work() in a thread: its result, or AssertionError when it is still running after `seconds` (a hang)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return outcome["result"]


def test_a_stalled_redis_leaves_logins_and_lessons_answering(database_url, _schema, app, create_user, caplog):
    create_user("ani")
    with stalled_server() as port:
        stalled = make_app(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
        client = stalled.test_client()
        module_id, lesson_id = first_lesson(stalled)

        def visit():
            answers = [client.post("/id/login", data={"username": "ani", "password": "salah sekali"}).status_code
                       for _ in range(3)]
            answers.append(client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code)
            answers.append(client.get(f"/id/modules/{module_id}/{lesson_id}").status_code)
            answers.append(client.post(f"/id/modules/{module_id}/{lesson_id}/done").status_code)
            return answers
        try:
            assert finishes(visit, seconds=20) == [200, 200, 200, 302, 200, 302]
        finally:
            with stalled.app_context():
                db.engine.dispose()
    warnings = [record.getMessage() for record in caplog.records
                if record.levelname == "WARNING" and "unreachable" in record.getMessage()]
    assert len(warnings) == 2, f"the limiter's and the account limits' fall-back, each said once: {warnings}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_dead_connection_at_teardown_answers_the_503_page_with_its_log_line(app, client, create_user, lang, caplog,
                                                                              monkeypatch):
    """Flask-SQLAlchemy rolls back when the request ends; on a connection the server dropped, that raises
    after every error handler has run."""
    create_user("ani", locale=lang)
    client.post(f"/{lang}/login", data={"username": "ani", "password": PASSWORD})

    def rollback_on_a_dropped_connection():
        monkeypatch.undo()
        raise sa.exc.OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
    caplog.clear()
    monkeypatch.setattr(db.session, "remove", rollback_on_a_dropped_connection)
    response = client.get(f"/{lang}/modules")
    assert_busy_page(response, lang)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    [line] = [record for record in caplog.records if record.name == "saring.request"]
    assert line.fields["status"] == 503 and line.fields["request_id"] == response.headers["X-Request-Id"]
    assert line.fields["path"] == f"/{lang}/modules"
    [failure] = [record for record in caplog.records if record.name == "saring" and record.levelname == "ERROR"]
    assert failure.fields["exception"] == "OperationalError" and failure.fields["reason"] == "unreachable"


needs_postgresql = pytest.mark.skipif(not os.environ.get("SARING_TEST_POSTGRES"),
                                      reason="needs PostgreSQL (SARING_TEST_POSTGRES)")


@contextlib.contextmanager
def table_locked(database_url, table="users"):
    """Another session holding an exclusive lock on `table` until the block ends."""
    engine = sa.create_engine(database_url)
    with engine.connect() as holder:
        holder.execute(sa.text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()
    engine.dispose()


@needs_postgresql
def test_a_locked_postgresql_table_answers_503_within_seconds_and_lessons_go_on(app, database_url, create_user):
    create_user("ani", locale="en")
    client = app.test_client()
    assert client.post("/en/login", data={"username": "ani", "password": PASSWORD}).status_code == 302
    module_id, lesson_id = first_lesson(app)
    with table_locked(database_url):
        answers = finishes(lambda: [client.get("/en/"), client.post(f"/en/modules/{module_id}/{lesson_id}/done"),
                                    app.test_client().get(f"/id/modules/{module_id}/{lesson_id}"),
                                    app.test_client().get("/healthz")], seconds=15)
    home, done, visitor, health = answers
    assert_busy_page(home, "en")
    assert_busy_page(done, "en")
    assert visitor.status_code == 200, "a visitor's lesson needs no table"
    assert health.status_code == 200, "the database takes writes: only one table is locked"
    assert client.get("/en/").status_code == 200, "the lock is gone: the same session carries on"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0


@needs_postgresql
def test_a_slow_postgresql_query_is_cancelled_by_the_statement_timeout(app):
    with app.app_context(), pytest.raises(sa.exc.OperationalError, match="statement timeout"):
        db.session.execute(sa.text("SELECT pg_sleep(60)"))


def test_postgresql_connections_get_statement_and_lock_timeouts():
    from saring.database import engine_options
    options = engine_options("postgresql+psycopg://db/saring", {}, statement_timeout_ms=5000, lock_timeout_ms=2000)
    assert options["connect_args"]["options"] == "-c statement_timeout=5000 -c lock_timeout=2000"
    assert options["connect_args"]["connect_timeout"] == 5
    assert "connect_args" not in engine_options("sqlite:///x.sqlite3", {}, statement_timeout_ms=5000,
                                                lock_timeout_ms=2000)


def test_healthz_tells_a_locked_sqlite_apart_within_a_second(tmp_path):
    """With the shipped busy timeout (5 s), a write lock held elsewhere: healthz says so without waiting it out."""
    path = tmp_path / "held.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
    try:
        with write_lock(path):
            health = finishes(lambda: app.test_client().get("/healthz"), seconds=1.5)
        assert health.status_code == 503 and health.json["reason"] == "locked"
        assert app.test_client().get("/healthz").json == {"app": "ok", "database": "ok"}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_healthz_tells_a_read_only_sqlite_apart_with_a_real_write(tmp_path):
    """A file that takes no writes (its permissions, a full or failing disk) is not "ok": every write would fail."""
    path = tmp_path / "read-only.sqlite3"
    writable = make_app(f"sqlite:///{path}")
    with writable.app_context():
        db.create_all()
        db.engine.dispose()
    # opened as SQLite opens a file it may not write (the suite runs as root, which file modes do not stop)
    app = make_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        health = app.test_client().get("/healthz")
        assert health.status_code == 503
        assert health.json == {"app": "ok", "database": "OperationalError", "reason": "read-only"}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_login_the_database_could_not_save_can_be_sent_again(locked_app):
    """A phone sends the same form again after the 503: its form token must still be good."""
    app, path = locked_app
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/id/login").text)[1]
    form = {"csrf_token": token, "username": "ani", "password": PASSWORD}
    with write_lock(path):
        assert_busy_page(client.post("/id/login", data=form), "id")
    assert client.post("/id/login", data=form).status_code == 302


def test_logins_the_database_could_not_answer_never_use_up_the_accounts_tries(app, create_user, monkeypatch):
    """While the database is down every login fails before any password is checked: none of them counts."""
    create_user("ani")
    client = app.test_client()
    real_find = saring.accounts.find_user

    def database_down(_username):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))
    monkeypatch.setattr(saring.accounts, "find_user", database_down)
    for _ in range(12):
        assert client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code == 503
    monkeypatch.setattr(saring.accounts, "find_user", real_find)
    assert client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code == 302


def test_logins_at_once_against_a_stalled_redis_never_fail(database_url, _schema, app, create_user):
    """Several threads of one worker find Redis stalled at the same moment: every one of them still answers."""
    create_user("ani")
    with stalled_server() as port:
        stalled = make_app(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
                           SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20})
        start = threading.Barrier(8)

        def log_in(_n):
            client = stalled.test_client()
            start.wait()
            return client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                assert sorted(finishes(lambda: list(pool.map(log_in, range(8))), seconds=20)) == [302] * 8
        finally:
            with stalled.app_context():
                db.engine.dispose()
