"""A learner's own data: the JSON download holds all of it and nobody else's; deleting removes all of it."""

import json
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from saring.accounts import User, UserRole
from saring.classes import Assignment, Classroom, Membership
from saring.config import PROJECT_ROOT
from saring.editing.models import ContentRevision
from saring.extensions import db
from saring.i18n import local_today
from saring.learning import LessonProgress, LessonStart
from saring.privacy import delete_unless_last_admin, is_last_admin
from saring.quizzes import QuizAnswer, QuizAttempt
from tests.conftest import PASSWORD

TABLES = (User, UserRole, LessonProgress, LessonStart, QuizAttempt, QuizAnswer, Classroom, Membership, Assignment)


@pytest.fixture
def school(app, create_user):
    """Teacher "bu-sari" with class 8B (assigned hoaks), and learners "ani" and "budi" in it, each with
    two lessons done and one quiz attempt of two answers. Returns the ids by name."""
    ids = {name: create_user(name) for name in ("ani", "budi")}
    ids["bu-sari"] = create_user("bu-sari", role="teacher")
    with app.app_context():
        db.session.get(User, ids["bu-sari"]).display_name = "Bu Sari Wulandari"
        classroom = Classroom(teacher_id=ids["bu-sari"], name="8B Literasi", school="SMP 1", grade="8",
                              join_code="ABCDEF", assignments=[Assignment(module_id="hoaks")])
        db.session.add(classroom)
        db.session.flush()
        ids["8B"] = classroom.id
        for number, name in enumerate(("ani", "budi")):
            user_id = ids[name]
            db.session.add(Membership(classroom_id=classroom.id, user_id=user_id,
                                      joined_at=datetime(2026, 7, 14 + number, 8, 0)))
            for lesson in ("jenis-misinformasi", "kenapa-kita-menyebar"):
                db.session.add(LessonProgress(user_id=user_id, module_id="hoaks", lesson_id=f"{lesson}",
                                              completed_at=datetime(2026, 7, 20, 9, number)))
            db.session.add(LessonStart(user_id=user_id, module_id="hoaks", lesson_id="hoaks-di-indonesia",
                                       started_at=datetime(2026, 7, 20, 9, 30 + number)))
            db.session.add(QuizAttempt(
                user_id=user_id, module_id="hoaks", lang="id", submission_key=f"{user_id:032}", score=1 + number,
                total=2, percent=50 + 50 * number, passed=bool(number), created_at=datetime(2026, 7, 21, 10, 0),
                answers=[QuizAnswer(question_id=f"{name}-q1", chosen="a", correct=True),
                         QuizAnswer(question_id=f"{name}-q2", chosen="b,c", correct=bool(number))]))
        db.session.commit()
    return ids


def sign_in(client, username):
    response = client.post("/id/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302


def token_of(client, path):
    """The CSRF token in the form on the page at `path`."""
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', client.get(path).text)[1]


def row_counts(app, user_id=None):
    """Rows per table; with `user_id`, only the rows that belong to that account."""
    belongs = {User: User.id, UserRole: UserRole.user_id, LessonProgress: LessonProgress.user_id,
               LessonStart: LessonStart.user_id,
               QuizAttempt: QuizAttempt.user_id, Membership: Membership.user_id, Classroom: Classroom.teacher_id}
    with app.app_context():
        counts = {}
        for model in TABLES:
            query = sa.select(sa.func.count()).select_from(model)
            if user_id is not None and model is QuizAnswer:
                query = query.join(QuizAttempt).where(QuizAttempt.user_id == user_id)
            elif user_id is not None and model is Assignment:
                query = query.join(Classroom).where(Classroom.teacher_id == user_id)
            elif user_id is not None:
                query = query.where(belongs[model] == user_id)
            counts[model.__tablename__] = db.session.scalar(query)
        return counts


def test_the_download_holds_everything_of_the_learner(app, client, school):
    sign_in(client, "ani")
    response = client.get("/en/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    with app.app_context():
        today = local_today().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=saring-ani-{today}.json"
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.text)
    assert data["about"] == f"Everything Saring keeps about your account, downloaded on {today}."
    assert data["account"] == {"username": "ani", "display_name": None, "email": None, "language": "id",
                               "created_at": data["account"]["created_at"]}
    assert datetime.fromisoformat(data["account"]["created_at"]).tzinfo is not None
    assert data["roles"] == ["learner"]
    assert data["lessons_done"] == [
        {"module_id": "hoaks", "module": "Understanding hoaxes", "lesson_id": lesson,
         "completed_at": "2026-07-20T09:00:00+00:00"} for lesson in ("jenis-misinformasi", "kenapa-kita-menyebar")]
    assert data["lessons_opened"] == [{"module_id": "hoaks", "module": "Understanding hoaxes",
                                       "lesson_id": "hoaks-di-indonesia", "opened_at": "2026-07-20T09:30:00+00:00"}]
    [attempt] = data["quiz_attempts"]
    assert {key: value for key, value in attempt.items() if key != "id"} == {
        "module_id": "hoaks", "module": "Understanding hoaxes", "language": "id", "score": 1, "total": 2,
        "percent": 50, "passed": False, "created_at": "2026-07-21T10:00:00+00:00",
        "on_paper": False, "recorded_by": None,
        "answers": [{"question_id": "ani-q1", "chosen": "a", "correct": True},
                    {"question_id": "ani-q2", "chosen": "b,c", "correct": False}]}
    assert data["classes"] == [{"name": "8B Literasi", "school": "SMP 1", "grade": "8",
                                "teacher": "Bu Sari Wulandari", "joined_at": "2026-07-14T08:00:00+00:00"}]
    assert data["classes_taught"] == []


def test_the_download_holds_nothing_of_anyone_else_nor_secrets(app, client, school):
    sign_in(client, "ani")
    text = client.get("/id/account/data.json").text
    assert "budi" not in text  # same class, same lessons: still none of budi's rows
    with app.app_context():
        ani = db.session.get(User, school["ani"])
        secrets = (ani.password_hash, "password", "key_digest", "pages_version", "submission_key", "ABCDEF")
    assert not [secret for secret in secrets if secret in text]


def test_a_teachers_download_names_their_classes_but_not_their_learners(app, client, school):
    sign_in(client, "bu-sari")
    data = client.get("/id/account/data.json").json
    assert data["roles"] == ["learner", "teacher"]
    assert data["account"]["display_name"] == "Bu Sari Wulandari"
    assert [(c["name"], c["learners"]) for c in data["classes_taught"]] == [("8B Literasi", 2)]
    assert "ani" not in json.dumps(data) and "budi" not in json.dumps(data)


def test_the_account_page_links_to_the_download_and_the_delete_page(client, login_as):
    login_as("learner")
    page = client.get("/en/account").text
    assert 'href="/en/account/data.json" download' in page and 'href="/en/account/delete"' in page


def test_the_account_page_says_what_the_download_holds_and_what_it_is_for(client, login_as):
    login_as("learner", lang="en")
    page = client.get("/en/account").text
    link = re.search(r'<a [^>]*href="/en/account/data.json"[^>]*>([^<]+)</a>', page)[1]
    assert link == "Download everything Saring keeps about you"
    for kept in ("the lessons you opened and finished", "your quiz answers", "your checks", "your reviews"):
        assert kept in page
    assert "keep it" in page and "another app" in page
    assert "JSON file)" not in page


def test_deleting_removes_every_row_of_the_learner_and_nothing_else(app, client, school):
    before, ani_rows, budi_rows = row_counts(app), row_counts(app, school["ani"]), row_counts(app, school["budi"])
    assert ani_rows == {"users": 1, "user_roles": 0, "lesson_progress": 2, "lesson_starts": 1, "quiz_attempts": 1,
                        "quiz_answers": 2,
                        "classrooms": 0, "memberships": 1, "assignments": 0}
    sign_in(client, "ani")
    page = client.get("/id/account/delete").text
    assert "setiap kuis yang kamu kerjakan" in page and "Kamu mengajar" not in page
    response = client.post("/id/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/id/"
    assert "Akunmu sudah dihapus" in client.get("/id/").text
    assert client.get("/id/account").status_code == 302, "signed out"
    after = row_counts(app)
    assert after == {table: before[table] - ani_rows[table] for table in before}
    assert row_counts(app, school["ani"]) == dict.fromkeys(before, 0)
    assert row_counts(app, school["budi"]) == budi_rows
    assert client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code == 200


def test_a_deleted_accounts_other_sessions_never_sign_in_the_next_new_account(app, client, create_user):
    """The laptop still holds the deleted account's session; the next account made must not inherit it
    through a reused id (SQLite gives the highest deleted id out again unless told not to)."""
    create_user("ani")
    laptop = app.test_client()
    for device in (client, laptop):
        sign_in(device, "ani")
    assert client.post("/id/account/delete", data={"password": PASSWORD}).status_code == 302
    newcomer = app.test_client()
    newcomer.post("/id/signup", data={"username": "budi", "password": "sandi budi yang panjang",
                                      "confirm": "sandi budi yang panjang"})
    page = laptop.get("/id/account")
    assert page.status_code == 302 and "/id/login" in page.headers["Location"]


@pytest.mark.parametrize("password, message", [("salah sekali", "Ini bukan kata sandimu. Tidak ada yang dihapus."),
                                               ("", "Ketik kata sandimu untuk memastikan.")])
def test_a_wrong_or_missing_password_deletes_nothing(app, client, school, password, message):
    before = row_counts(app)
    sign_in(client, "ani")
    response = client.post("/id/account/delete", data={"password": password})
    assert response.status_code == 200 and message in response.text
    assert row_counts(app) == before
    assert client.get("/id/account").status_code == 200, "still signed in"


def test_the_last_admin_cannot_delete_their_account(app, client, login_as):
    login_as("admin", username="kepala")
    before = row_counts(app)
    page = client.get("/en/account/delete").text
    assert "You are the only admin" in page and 'name="password"' not in page
    response = client.post("/en/account/delete", data={"password": PASSWORD})
    assert response.status_code == 200 and "You are the only admin" in response.text
    assert row_counts(app) == before


def test_an_admin_can_delete_their_account_while_another_admin_remains(app, client, login_as, create_user):
    create_user("wakil", role="admin")
    login_as("admin", username="kepala")
    assert 'name="password"' in client.get("/en/account/delete").text
    assert client.post("/en/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        admins = db.session.scalars(sa.select(User.username).join(UserRole).where(UserRole.role == "admin")).all()
    assert admins == ["wakil"]


def test_a_teacher_deleting_their_account_takes_their_classes_but_not_their_learners(app, client, school):
    ani = app.test_client()
    sign_in(ani, "ani")
    assert "Memahami hoaks" in ani.get("/id/").text.split('id="assigned-title"')[1].split("</section>")[0]
    learners_before = {name: row_counts(app, school[name]) for name in ("ani", "budi")}
    sign_in(client, "bu-sari")
    page = client.get("/en/account/delete").text
    assert "You teach 1 class. It will be deleted too" in page and "keep their accounts and their progress" in page
    assert client.post("/en/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Classroom)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    for name, before in learners_before.items():
        assert row_counts(app, school[name]) == {**before, "memberships": 0}
    assert 'id="assigned-title"' not in ani.get("/id/").text, "the learner's kept home page drops the class"


def test_a_learner_whose_account_the_class_made_can_delete_it(app, client, login_as):
    login_as("teacher", username="bu-sari")
    class_id = int(client.post("/id/classes", data={"name": "8B"}).headers["Location"].rsplit("/", 1)[1])
    cards = client.post(f"/id/classes/{class_id}/learners/new", data={"names": "Siti Nur'aini"}).text
    first_password = cards.split('<strong class="code">')[2].split("</strong>")[0]
    learner = app.test_client()
    learner.post("/id/login", data={"username": "siti.nuraini", "password": first_password})
    assert learner.get("/id/account/delete").headers["Location"] == "/id/account/first-password", \
        "a first password opens only the page to choose one's own"
    learner.post("/id/account/first-password", data={"password": PASSWORD, "confirm": PASSWORD})
    assert learner.post("/id/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).filter_by(username="siti.nuraini")) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
    assert "Siti" not in client.get(f"/id/classes/{class_id}").text


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_deleting_needs_the_forms_csrf_token(app, client, school):
    before = row_counts(app)
    token = token_of(client, "/id/login")
    client.post("/id/login", data={"username": "ani", "password": PASSWORD, "csrf_token": token})
    assert client.post("/id/account/delete", data={"password": PASSWORD}).status_code == 400
    assert row_counts(app) == before
    token = token_of(client, "/id/account/delete")
    assert client.post("/id/account/delete", data={"password": PASSWORD, "csrf_token": token}).status_code == 302
    assert row_counts(app, school["ani"])["users"] == 0


def test_the_last_admin_is_counted_again_inside_the_deleting_transaction(app, create_user):
    """Two admins deleting themselves at once: the second to commit finds no other admin and deletes nothing."""
    kepala, wakil = create_user("kepala", role="admin"), create_user("wakil", role="admin")
    with app.test_request_context():
        user = db.session.get(User, kepala)
        assert not is_last_admin(user), "when the page was shown, wakil was still an admin"
        with db.engine.begin() as elsewhere:  # meanwhile wakil's account goes, in another connection
            elsewhere.execute(sa.delete(User.__table__).where(User.id == wakil))
        assert delete_unless_last_admin(user) is False
    with app.app_context():
        assert db.session.scalars(sa.select(UserRole.role).filter_by(user_id=kepala)).all() == ["admin"]


def test_an_editors_download_lists_their_revisions_and_deleting_keeps_the_content(app, client, login_as):
    login_as("editor", username="penyunting", lang="en")
    text = (PROJECT_ROOT / "lessons/hoaks/module.yml").read_text()
    client.post("/en/editor/files/lessons/hoaks/module.yml", data={"text": text, "message": "Same text",
                                                                 "base": "", "save": "1"})
    [revision] = json.loads(client.get("/en/account/data.json").text)["content_revisions"]
    assert (revision["path"], revision["message"], revision["published_at"]) == \
        ("lessons/hoaks/module.yml", "Same text", None)
    assert "The lessons and quizzes you saved or published in the editor workspace stay" in \
        client.get("/en/account/delete").text
    client.post("/en/account/delete", data={"password": PASSWORD})
    with app.app_context():
        assert db.session.scalar(sa.select(ContentRevision.author_id)) is None
