"""Spaced review: missed questions and check items come back on later days, spaced by FSRS; a booster."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from saring.extensions import db
from saring.reviews import BOOSTER_AFTER, QUESTION, ReviewCard
from tests.conftest import PASSWORD, hidden_fields
from tests.test_discernment import answering, forms  # noqa: F401 (a fixture)

QUIZ = "/en/modules/alpha/quiz"


@pytest.fixture
def learner(client, create_user, sample_copy, use_content):
    use_content(sample_copy)
    create_user("dina", locale="en")
    client.post("/en/login", data={"username": "dina", "password": PASSWORD})
    return client


def first_options(form):
    """Every question answered with its first option."""
    chosen = {}
    for name, value in re.findall(r'name="(q\d+)" value="(\w)"', form):
        chosen.setdefault(name, value)
    return {**hidden_fields(form), **chosen}


def cards(app):
    with app.app_context():
        return db.session.scalars(sa.select(ReviewCard).order_by(ReviewCard.id)).all()


def days_from_now(card):
    return (card.due.replace(tzinfo=UTC) - datetime.now(UTC)) / timedelta(days=1)


def move_to_today(app):
    """As if the day until the cards are due has passed: each is due now, its last review a day earlier."""
    with app.app_context():
        for card in db.session.scalars(sa.select(ReviewCard)):
            gone = card.due - datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=1)
            card.due -= gone
            card.last_review = card.last_review - gone if card.last_review else None
        db.session.commit()


def test_each_missed_question_comes_back_the_next_day_never_the_same_day(app, learner):
    learner.post(QUIZ, data=first_options(learner.get(QUIZ).text))
    missed = cards(app)
    assert missed and all(card.kind == QUESTION and card.module_id == "alpha" for card in missed)
    assert all(0.9 < days_from_now(card) < 1.1 for card in missed)
    home = learner.get("/en/").text
    assert "to review" not in home
    assert "Nothing to review today." in learner.get("/en/review").text


def test_a_review_right_comes_back_later_and_one_missed_again_tomorrow(app, learner):
    learner.post(QUIZ, data=first_options(learner.get(QUIZ).text))
    move_to_today(app)
    count = len(cards(app))
    assert f"{count} questions to review" in learner.get("/en/").text or "1 question to review" in \
        learner.get("/en/").text
    page = learner.get("/en/review").text
    assert "- [x]" not in page and "Right answer:" not in page  # nothing of the answer before answering
    ids = re.search(r'name="cards" value="([\d,]+)"', page)[1].split(",")
    with app.app_context():
        by_id = {str(card.id): card for card in db.session.scalars(sa.select(ReviewCard))}
        library = app.extensions["saring.content"].library
        quiz = library.module("alpha").quiz.texts["en"]
        right = {f"r{i}": sorted(quiz.question(by_id[i].ref).correct_ids) for i in ids[:1]}
        wrong = {f"r{i}": next(option.id for option in quiz.question(by_id[i].ref).options if not option.correct)
                 for i in ids[1:2]}
    data = {"submission_key": re.search(r'name="submission_key" value="(\w+)"', page)[1], "cards": ",".join(ids),
            **right, **wrong}
    sent = learner.post("/en/review", data=data)
    result = learner.get(sent.headers["Location"]).text
    assert "Right: it comes back later" in result and "Not yet right: it comes back tomorrow" in result
    after = {str(card.id): card for card in cards(app)}
    assert days_from_now(after[ids[0]]) > 1.5, "a right review is spaced out further"
    assert 0.9 < days_from_now(after[ids[1]]) < 1.1, "one missed again comes back tomorrow"
    again = learner.post("/en/review", data=data)  # the same form resent (from a phone that was offline)
    assert again.headers["Location"] == sent.headers["Location"]
    assert [card.reviews for card in cards(app)][:2] == [after[ids[0]].reviews, after[ids[1]].reviews] == [1, 1]


def test_a_first_pass_adds_a_booster_weeks_later(app, learner):
    with app.app_context():
        quiz = app.extensions["saring.content"].library.module("alpha").quiz.texts["en"]
    form = learner.get(QUIZ).text
    data = {**hidden_fields(form)}
    for position, question in enumerate(quiz.questions, 1):
        data[f"q{position}"] = sorted(question.correct_ids)
    learner.post(QUIZ, data=data)
    boosters = cards(app)
    assert len(boosters) == 3
    assert all(abs(days_from_now(card) - BOOSTER_AFTER.days) < 0.1 for card in boosters)
    learner.post(QUIZ, data={**data, **hidden_fields(learner.get(QUIZ).text)})
    assert len(cards(app)) == 3, "only the first pass adds a booster"


def test_a_missed_check_item_comes_back_too_and_the_download_lists_the_cards(app, client, login_as,
                                                                            forms):  # noqa: F811
    login_as("learner", lang="en")
    client.post("/en/check", data=answering(client.get("/en/check").text, lambda n: "false"))
    items = [card for card in cards(app) if card.kind == "item"]
    assert len(items) == 10  # the ten genuine messages doubted
    move_to_today(app)
    page = client.get("/en/review").text
    assert page.count('value="genuine"') == 5 and "Why it is" not in page
    data = client.get("/en/account/data.json").json
    assert len(data["reviews"]) == 10 and data["reviews"][0]["kind"] == "item"
