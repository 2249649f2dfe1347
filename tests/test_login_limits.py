"""Logging in resists guessing: one answer for unknown and wrong, limits per address and per account."""

import concurrent.futures
import os
import re
import threading
import time
import uuid

import limits.storage.memory
import pytest
import redis
import sqlalchemy as sa

import saring.accounts
import saring.limits
from saring.accounts import User
from saring.config import ConfigError
from saring.extensions import db
from saring.limits import LimitHit
from tests.conftest import PASSWORD, make_app, service_missing

WRONG = "bukan kata sandinya"
FEW = {"RATELIMIT_FAILED_LOGINS": "3 per 15 minutes"}


def log_in(client, username="ani", password=PASSWORD, address="10.0.0.1", lang="id"):
    return client.post(f"/{lang}/login", data={"username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


class Clock:
    """Stands in for the `time` module where the limits read the time, so a test can move it on."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Time for the in-memory counts and for the 429 page's wait, moved on by `clock.now += seconds`."""
    import time
    clock = Clock(time.time())
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(saring.limits, "time", clock)
    return clock


def test_unknown_user_and_wrong_password_get_the_same_page_after_the_same_work(app, client, create_user,
                                                                                 monkeypatch):
    checks = []
    real_check = saring.accounts.check_password_hash
    monkeypatch.setattr(saring.accounts, "check_password_hash",
                        lambda stored, password: checks.append(stored.split("$")[0]) or real_check(stored, password))
    unknown = log_in(client, "budi", WRONG)
    create_user("budi")
    wrong = log_in(client, "budi", WRONG)
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.text == wrong.text
    assert "Nama pengguna atau kata sandi salah." in wrong.text
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[0]
    assert len(checks) == 2 and all(check.startswith(method) for check in checks)


def test_an_over_long_username_is_checked_against_a_hash_too(client, monkeypatch):
    checks = []
    real_check = saring.accounts.check_password_hash
    monkeypatch.setattr(saring.accounts, "check_password_hash",
                        lambda stored, password: checks.append(1) or real_check(stored, password))
    assert log_in(client, "a" * 200, WRONG).status_code == 200
    assert checks == [1]


@pytest.mark.parametrize("app_config", [FEW])
def test_failed_passwords_are_limited_per_account_from_any_address(client, create_user):
    create_user("ani")
    create_user("budi")
    for n in range(3):
        assert log_in(client, "ani", WRONG, address=f"10.0.0.{n}").status_code == 200
    refused = log_in(client, "ani", PASSWORD, address="10.9.9.9")  # even the right password, from elsewhere
    assert refused.status_code == 429
    assert "Log out" not in refused.text and "Keluar" not in refused.text
    assert log_in(client, "budi", PASSWORD, address="10.0.0.1").status_code == 302  # others carry on


@pytest.mark.parametrize("app_config", [FEW])
def test_unknown_usernames_are_limited_the_same_way(client, create_user):
    create_user("ani")
    answers = {}
    for username in ("ani", "siapa"):
        for n in range(3):
            log_in(client, username, WRONG, address=f"10.1.0.{n}")
        answers[username] = log_in(client, username, WRONG, address="10.1.1.1")
    assert answers["ani"].status_code == answers["siapa"].status_code == 429
    assert answers["ani"].text == answers["siapa"].text


@pytest.mark.parametrize("app_config", [FEW])
def test_spellings_of_one_username_count_against_the_same_account(client, create_user):
    """Capitals, spaces or full-width letters log in to the same account, so they share its count."""
    create_user("ani")
    for spelling in ("ANI", " ani ", "\uff41\uff4e\uff49"):
        assert log_in(client, spelling, WRONG).status_code == 200
    assert log_in(client, "ani", PASSWORD).status_code == 429


@pytest.mark.parametrize("app_config", [FEW])
def test_only_failures_count_against_the_account(client, create_user):
    create_user("ani")
    for _ in range(5):
        assert log_in(client, "ani", PASSWORD).status_code == 302
        client.post("/id/logout")
    assert log_in(client, "ani", "").status_code == 200  # an empty form is no guess
    for _ in range(2):
        log_in(client, "ani", WRONG)
    assert log_in(client, "ani", PASSWORD).status_code == 302


@pytest.mark.parametrize("app_config", [FEW])
def test_wrong_passwords_to_delete_the_account_count_against_it_too(app, client, login_as):
    login_as("learner", username="ani")
    for _ in range(3):
        response = client.post("/id/account/delete", data={"password": WRONG})
        assert response.status_code == 200 and "Tidak ada yang dihapus" in response.text
    assert client.post("/id/account/delete", data={"password": PASSWORD}).status_code == 429
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).filter_by(username="ani")) is not None


@pytest.mark.parametrize("app_config", [FEW])
def test_wrong_current_passwords_count_against_the_same_account(client, login_as):
    login_as("learner", username="ani")
    for _ in range(3):
        response = client.post("/id/account/password", data={"current": WRONG, "password": "sandi baru sekali",
                                                              "confirm": "sandi baru sekali"})
        assert "Ini bukan kata sandimu yang sekarang." in response.text
    response = client.post("/id/account/password", data={"current": PASSWORD, "password": "sandi baru sekali",
                                                          "confirm": "sandi baru sekali"})
    assert response.status_code == 429
    client.post("/id/logout")
    assert log_in(client, "ani", PASSWORD).status_code == 429


def account_row(app, user_id):
    with app.app_context():
        return db.session.execute(sa.select(User.__table__).where(User.id == user_id)).one()


@pytest.mark.parametrize("app_config", [FEW])
def test_the_limit_lifts_after_the_window_and_the_right_password_works(app, client, create_user, clock):
    user_id = create_user("ani")
    before = account_row(app, user_id)
    for _ in range(3):
        log_in(client, "ani", WRONG)
    clock.now += 14 * 60
    waiting = log_in(client, "ani", PASSWORD)
    assert waiting.status_code == 429
    assert "Tunggu 1 menit, lalu coba lagi." in waiting.text
    assert int(waiting.headers["Retry-After"]) == 60
    clock.now += 61
    assert log_in(client, "ani", PASSWORD).status_code == 302
    assert account_row(app, user_id) == before, "nothing was written to the account: it was never locked"


@pytest.mark.parametrize("app_config", [FEW])
@pytest.mark.parametrize("lang, message", [
    ("id", "Terlalu banyak percobaan. Tunggu 15 menit, lalu coba lagi."),
    ("en", "Too many tries. Wait 15 minutes and try again."),
])
def test_the_429_page_speaks_the_learners_language(client, create_user, clock, lang, message):
    create_user("ani")
    for _ in range(3):
        log_in(client, "ani", WRONG, lang=lang)
    response = log_in(client, "ani", WRONG, lang=lang)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(15 * 60)
    assert f'<html lang="{lang}">' in response.text
    assert message in response.text
    assert "Traceback" not in response.text and "RateLimit" not in response.text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_PER_ADDRESS": "3 per minute"}])
def test_posts_are_limited_per_address(client, create_user):
    create_user("ani")
    for _ in range(3):
        client.get("/id/login", environ_overrides={"REMOTE_ADDR": "10.0.0.1"})  # reading the form is free
        assert log_in(client, "ani", PASSWORD, address="10.0.0.1").status_code == 302
        client.post("/id/logout")
    limited = log_in(client, "ani", PASSWORD, address="10.0.0.1")
    assert limited.status_code == 429
    assert "Terlalu banyak percobaan. Tunggu 1 menit, lalu coba lagi." in limited.text
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert log_in(client, "ani", PASSWORD, address="10.0.0.2").status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_PER_ADDRESS": "2 per minute"}])
@pytest.mark.parametrize("path, data", [
    ("/id/signup", {"username": "ab", "password": "pendek"}),
    ("/id/join", {"code": "ZZZZZZ"}),
    ("/id/account/password", {"current": "", "password": "", "confirm": ""}),
    ("/id/account/delete", {"password": ""}),
])
def test_every_form_that_takes_a_guess_is_limited_per_address(app, client, login_as, path, data):
    if path != "/id/signup":
        login_as("learner")
    answers = [client.post(path, data=data, environ_overrides={"REMOTE_ADDR": "10.0.0.7"}).status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]
    assert client.post(path, data=data, environ_overrides={"REMOTE_ADDR": "10.0.0.8"}).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_PER_ADDRESS": "2 per minute"}])
def test_join_links_are_limited_per_address_too_apart_from_the_posts(client, login_as):
    """A join link says whether its code opens a class: trying codes there is limited like typing them."""
    login_as("learner")
    address = {"REMOTE_ADDR": "10.0.0.7"}
    looked_up = [client.get(f"/id/join/ZZZZZ{n}", environ_overrides=address).status_code for n in range(3)]
    assert looked_up == [200, 200, 429]
    assert client.get("/id/join", environ_overrides=address).status_code == 200, "the plain form is free"
    posted = [client.post("/id/join", data={"code": "ZZZZZZ"}, environ_overrides=address).status_code
              for _ in range(3)]
    assert posted == [200, 200, 429], "a class opens the link, then joins: each has its own count"


def test_a_whole_class_can_log_in_at_once_from_one_school_address(client, create_user):
    for n in range(45):
        create_user(f"murid{n}")
    for n in range(45):
        assert log_in(client, f"murid{n}", PASSWORD, address="10.20.30.40").status_code == 302
        client.post("/id/logout")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False, **FEW}])
def test_limits_can_be_switched_off(client, create_user):
    create_user("ani")
    for _ in range(5):
        log_in(client, "ani", WRONG)
    assert log_in(client, "ani", PASSWORD).status_code == 302


@pytest.mark.parametrize("setting, value", [
    ("RATELIMIT_PER_ADDRESS", "lots"),
    ("RATELIMIT_FAILED_LOGINS", "10 per fortnight"),
    ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211"),
    ("RATELIMIT_STORAGE_URI", "127.0.0.1:6379"),
    ("RATELIMIT_KEY_PREFIX", "a/b"),
    ("RATELIMIT_KEY_PREFIX", ""),
])
def test_bad_limit_settings_stop_the_start_with_a_message(database_url, setting, value):
    with pytest.raises(ConfigError, match=setting):
        make_app(database_url, **{setting: value})


def test_limit_settings_come_from_the_environment(monkeypatch):
    from saring.config import Config
    environ = {"REDIS_URL": "redis://cache:6379/0", "RATELIMIT_KEY_PREFIX": "sekolah",
               "RATELIMIT_PER_ADDRESS": "100 per minute", "RATELIMIT_FAILED_LOGINS": "5 per 10 minutes"}
    settings = Config.from_env(environ)
    assert (settings["RATELIMIT_STORAGE_URI"], settings["RATELIMIT_KEY_PREFIX"]) == ("redis://cache:6379/0", "sekolah")
    assert (settings["RATELIMIT_PER_ADDRESS"], settings["RATELIMIT_FAILED_LOGINS"]) == ("100 per minute",
                                                                                        "5 per 10 minutes")
    environ["RATELIMIT_STORAGE_URI"] = "redis://limits:6379/1"
    assert Config.from_env(environ)["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/1"
    assert Config.from_env({})["RATELIMIT_STORAGE_URI"] == "database://"


@pytest.fixture
def redis_limits():
    """Settings for counts in a real Redis under a key prefix of this test's own, removed afterwards."""
    url = os.environ.get("SARING_TEST_REDIS", "redis://127.0.0.1:6379/0")
    server = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        server.ping()
    except redis.RedisError as problem:
        server.close()
        service_missing(f"REDIS IS NOT REACHABLE at {url} ({problem}): the shared-count tests were SKIPPED")
    prefix = f"saring-test-{uuid.uuid4().hex[:12]}"
    yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix, **FEW}
    keys = list(server.scan_iter(f"LIMITER/{prefix}/*"))
    if keys:
        server.delete(*keys)
    server.close()


@pytest.fixture
def two_instances(database_url, _schema, redis_limits):
    """Two app instances on one database and one Redis, as when Saring is scaled out."""
    apps = [make_app(database_url, **redis_limits), make_app(database_url, **redis_limits)]
    yield apps
    with apps[0].app_context(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    for app in apps:
        with app.app_context():
            db.engine.dispose()
        app.extensions["saring.limiter"].storage.storage.close()


def test_two_instances_count_failed_passwords_together_in_redis(two_instances):
    first, second = two_instances
    with first.app_context():
        user = saring.accounts.User(username="ani")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    clients = [first.test_client(), second.test_client()]
    for n in range(3):
        assert log_in(clients[n % 2], "ani", WRONG, address=f"10.0.0.{n}").status_code == 200
    for client in clients:
        response = log_in(client, "ani", PASSWORD, address="10.5.5.5")
        assert response.status_code == 429
        assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60


def test_when_redis_is_down_each_process_counts_alone_and_logins_go_on(database_url, _schema, create_user, app):
    create_user("ani")
    down = make_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_PER_ADDRESS="3 per minute")
    try:
        client = down.test_client()
        answers = [log_in(client, "ani", PASSWORD).status_code for _ in range(4)]
        assert answers == [302, 302, 302, 429]
    finally:
        with down.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STORAGE_URI": "memory://"}])
def test_usernames_are_not_stored_in_the_counts(app, client, create_user):
    create_user("ani")
    log_in(client, "ani", WRONG, address="10.0.0.1")
    keys = list(app.extensions["saring.account_limits"].limiter.storage.events)
    assert any("/failed-passwords/" in key for key in keys) and any("/10.0.0.1/" in key for key in keys)
    assert not any("ani" in key.split("/") for key in keys)


def test_the_database_holds_neither_usernames_nor_addresses_in_the_counts(app, client, create_user):
    create_user("ani")
    log_in(client, "ani", WRONG, address="10.0.0.1")
    with app.app_context():
        keys = db.session.scalars(sa.select(LimitHit.key)).all()
    assert len(keys) == 2, "one place for the address's post, one for the account's try"
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_memory_counts_are_refused_in_production(database_url):
    with pytest.raises(ConfigError, match="each gunicorn worker alone"):
        make_app(database_url, ENV_NAME="production", RATELIMIT_STORAGE_URI="memory://")


def test_the_shipped_limit_lets_ten_wrong_passwords_through_and_refuses_the_eleventh(app, client, create_user):
    """No override: what the README promises is what ships."""
    create_user("ani")
    for n in range(10):
        response = log_in(client, "ani", WRONG, address=f"10.0.1.{n}")
        assert response.status_code == 200 and "Nama pengguna atau kata sandi salah." in response.text, n + 1
    eleventh = log_in(client, "ani", WRONG, address="10.0.2.1")
    assert eleventh.status_code == 429 and "Terlalu banyak percobaan." in eleventh.text


def test_workers_count_wrong_passwords_together_with_the_shipped_storage(database_url, _schema, app, create_user):
    """Each gunicorn worker is an app of its own: with the shipped settings they share one count."""
    create_user("ani")
    workers = [make_app(database_url), make_app(database_url)]
    try:
        clients = [worker.test_client() for worker in workers]
        answers = [log_in(clients[n % 2], "ani", WRONG, address=f"10.0.3.{n}").status_code for n in range(12)]
        assert answers == [200] * 10 + [429, 429]
    finally:
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()


def slow_hash_checks(monkeypatch, seconds=0.2):
    """Make every password check slow, as scrypt is on a small server, and count the checks."""
    checks = []
    real_check = saring.accounts.check_password_hash

    def slow(stored, password):
        checks.append(1)
        time.sleep(seconds)
        return real_check(stored, password)
    monkeypatch.setattr(saring.accounts, "check_password_hash", slow)
    return checks


def guess_at_once(app, count, username="ani"):
    """`count` wrong passwords for `username` sent at the same moment, each from a phone of its own."""
    start = threading.Barrier(count)

    def guess(n):
        client = app.test_client()
        start.wait()
        return log_in(client, username, WRONG, address=f"10.0.4.{n}").status_code
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return sorted(pool.map(guess, range(count)))


# one process serving 16 logins at once needs two connections for each (its own, and the limits')
MANY_AT_ONCE = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40}}


@pytest.mark.parametrize("app_config", [MANY_AT_ONCE])
def test_parallel_wrong_passwords_never_check_more_than_the_limit(app, create_user, monkeypatch):
    create_user("ani")
    checks = slow_hash_checks(monkeypatch)
    answers = guess_at_once(app, 16)
    assert len(checks) == 10, "each guess takes its place in the count before its password is checked"
    assert answers == [200] * 10 + [429] * 6


def test_parallel_wrong_passwords_never_check_more_than_the_limit_in_redis(database_url, _schema, app, create_user,
                                                                            redis_limits, monkeypatch):
    create_user("ani")
    shared = make_app(database_url, **{**redis_limits, "RATELIMIT_FAILED_LOGINS": "10 per 15 minutes", **MANY_AT_ONCE})
    checks = slow_hash_checks(monkeypatch)
    try:
        assert guess_at_once(shared, 16) == [200] * 10 + [429] * 6
        assert len(checks) == 10
    finally:
        with shared.app_context():
            db.engine.dispose()
