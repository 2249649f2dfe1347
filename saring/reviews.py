"""Spaced review: every quiz question and check item a learner missed comes back on later days, at intervals
the FSRS scheduler (the `fsrs` package) sets from how each review went; a booster weeks after a module is passed.

Cards are made in the transaction that saves the attempt or the sitting (a session hook), so no path that
saves one can forget them. A card is due on a day, not at an hour: home shows the day's reviews, and a
page kept for the day stays right.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from fsrs import Card, Rating, Scheduler, State
from sqlalchemy.orm import Mapped, Session, mapped_column

from .content import get_library
from .content.model import CheckItem, Question
from .database import DIALECT_INSERTS, utcnow
from .discernment.models import CheckSitting
from .extensions import db
from .i18n import LANG_PREFIX, current_language, local_today, time_zone
from .pagecache import shown_to
from .quizzes import QuizAttempt

bp = Blueprint("reviews", __name__, url_prefix=f"{LANG_PREFIX}/review")
# the first review the day after a miss, the same after a review missed again; FSRS spaces the rest
SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=(timedelta(days=1),),
                      relearning_steps=(timedelta(days=1),), enable_fuzzing=False)
BOOSTER_AFTER = timedelta(days=21)  # weeks after a module is first passed, before the skill fades
BOOSTER_QUESTIONS = 3
AT_ONCE = 5  # cards on one review page: a few minutes on a phone
QUESTION, ITEM = "question", "item"
CHECK_MODULE = "check"  # the module column of a check item's card
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


@shown_to(lambda card: [card.user_id])
class ReviewCard(db.Model):
    """One question or check item a learner reviews, with its FSRS memory state and when it is due."""

    __tablename__ = "review_cards"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "module_id", "ref"),
                      sa.Index("ix_review_cards_user_due", "user_id", "due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(8))  # QUESTION or ITEM
    module_id: Mapped[str] = mapped_column(sa.String(64))  # CHECK_MODULE for a check item
    ref: Mapped[str] = mapped_column(sa.String(64))  # the question's or the item's id
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime]
    last_review: Mapped[datetime | None]
    reviews: Mapped[int] = mapped_column(default=0)
    last_key: Mapped[str | None] = mapped_column(sa.String(32))  # the review form that last graded it
    last_right: Mapped[bool | None]  # and whether that answer was right
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def fsrs_card(self) -> Card:
        """The card as the scheduler reads it."""
        return Card(state=State(self.state), step=self.step, stability=self.stability, difficulty=self.difficulty,
                    due=self.due.replace(tzinfo=UTC),
                    last_review=self.last_review.replace(tzinfo=UTC) if self.last_review else None)

    def keep(self, card: Card) -> None:
        """Store what the scheduler decided."""
        for name, value in state_of(card).items():
            setattr(self, name, value)


def missed(session: Session, user_id: int, kind: str, module_id: str, refs: list[str], now: datetime) -> None:
    """Schedule the missed questions or items: a new card each, or, for one already reviewed, a lapse.

    New cards go in with INSERT … ON CONFLICT DO NOTHING: two attempts saved at once (two phones, or
    several in one flush) never make a card twice, nor fail the attempt over it."""
    if not refs:
        return
    with session.no_autoflush:
        existing = {card.ref: card for card in session.scalars(sa.select(ReviewCard).where(
            ReviewCard.user_id == user_id, ReviewCard.kind == kind, ReviewCard.module_id == module_id,
            ReviewCard.ref.in_(refs)))}
    for ref in refs:
        if ref in existing:
            scheduled, _ = SCHEDULER.review_card(existing[ref].fsrs_card(), Rating.Again, now)
            existing[ref].keep(scheduled)
    new = [ref for ref in dict.fromkeys(refs) if ref not in existing]
    if new:
        scheduled, _ = SCHEDULER.review_card(Card(due=now), Rating.Again, now)
        rows = [{"user_id": user_id, "kind": kind, "module_id": module_id, "ref": ref, "reviews": 0,
                 "created_at": utcnow(), **state_of(scheduled)} for ref in new]
        insert = DIALECT_INSERTS[session.get_bind().dialect.name](ReviewCard)
        session.execute(insert.values(rows).on_conflict_do_nothing(
            index_elements=["user_id", "kind", "module_id", "ref"]))


def state_of(card: Card) -> dict:
    """What the scheduler decided, as the columns that keep it."""
    return {"state": int(card.state), "step": card.step, "stability": card.stability,
            "difficulty": card.difficulty, "due": card.due.astimezone(UTC).replace(tzinfo=None),
            "last_review": card.last_review.astimezone(UTC).replace(tzinfo=None) if card.last_review else None}


def pending_cards(session: Session, user_id: int, kind: str, module_id: str) -> list[ReviewCard]:
    """Cards this flush is adding for the learner (several attempts can be saved at once)."""
    return [card for card in session.new if isinstance(card, ReviewCard) and card.user_id == user_id
            and card.kind == kind and card.module_id == module_id]


def booster(session: Session, attempt: QuizAttempt, now: datetime) -> None:
    """On a module's first pass, a few of its questions not already in review come back weeks later."""
    with session.no_autoflush:
        passed_before = session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt).where(
            QuizAttempt.user_id == attempt.user_id, QuizAttempt.module_id == attempt.module_id,
            QuizAttempt.passed))
        carded = set(session.scalars(sa.select(ReviewCard.ref).where(
            ReviewCard.user_id == attempt.user_id, ReviewCard.kind == QUESTION,
            ReviewCard.module_id == attempt.module_id)))
    carded.update(card.ref for card in pending_cards(session, attempt.user_id, QUESTION, attempt.module_id))
    if passed_before:
        return
    chosen = [answer.question_id for answer in attempt.answers if answer.correct and answer.question_id not in carded]
    for ref in random.sample(chosen, min(BOOSTER_QUESTIONS, len(chosen))):
        card = ReviewCard(user_id=attempt.user_id, kind=QUESTION, module_id=attempt.module_id, ref=ref)
        card.keep(Card(due=now + BOOSTER_AFTER))
        session.add(card)


def schedule_new_work(session: Session, _flush_context, _instances) -> None:
    """Before a flush saves a quiz attempt or a check sitting: cards for what it missed, and the booster."""
    now, boosted = datetime.now(UTC), set()
    for obj in list(session.new):
        if isinstance(obj, QuizAttempt):
            missed(session, obj.user_id, QUESTION, obj.module_id,
                   [answer.question_id for answer in obj.answers if not answer.correct], now)
            if obj.passed and (obj.user_id, obj.module_id) not in boosted:  # the first pass of several at once
                boosted.add((obj.user_id, obj.module_id))
                booster(session, obj, now)
        elif isinstance(obj, CheckSitting):
            missed(session, obj.user_id, ITEM, CHECK_MODULE,
                   [answer.item_id for answer in obj.answers if not answer.correct], now)


def end_of_today() -> datetime:
    """The first moment of tomorrow where the school is, in UTC as stored: what is due before it is due today."""
    zone = time_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    tomorrow = datetime.combine(local_today() + timedelta(days=1), time(), zone)
    return tomorrow.astimezone(UTC).replace(tzinfo=None)


def due_count(user_id: int) -> int:
    """How many of the learner's cards are due today."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.due < end_of_today())) or 0


@dataclass(frozen=True)
class Due:
    """A card with what it shows: a quiz question or a check item, in the reader's language."""

    card: ReviewCard
    question: Question | None
    item: CheckItem | None


def shown(card: ReviewCard, lang: str) -> Due | None:
    """The content a card shows, or None when the content no longer has it."""
    library = get_library()
    if card.kind == QUESTION:
        module = library.module(card.module_id)
        question = module.quiz.text(lang)[0].question(card.ref) if module and module.quiz else None
        return Due(card, question, None) if question else None
    item = next((item for form in library.checks for item in form.text(lang)[0].items if item.id == card.ref), None)
    return Due(card, None, item) if item else None


def due_today(user_id: int, lang: str) -> list[Due]:
    """Up to AT_ONCE cards due today, the longest due first, each with what it shows."""
    cards = db.session.scalars(sa.select(ReviewCard).where(ReviewCard.user_id == user_id,
                                                           ReviewCard.due < end_of_today())
                               .order_by(ReviewCard.due, ReviewCard.id).limit(AT_ONCE * 2))
    return [due for due in (shown(card, lang) for card in cards) if due][:AT_ONCE]


def answer_of(due: Due, values: list[str]) -> bool | None:
    """Whether an answer is right (None: no answer, or one that is not on the card)."""
    if due.question is not None:
        chosen = frozenset(values)
        if not chosen or not chosen <= {option.id for option in due.question.options}:
            return None
        return chosen == due.question.correct_ids
    if len(values) != 1 or values[0] not in ("genuine", "false"):
        return None
    return (values[0] == "genuine") == due.item.genuine


@bp.route("", methods=["GET", "POST"])
@login_required
def review():
    """Today's review: a few missed questions and items; each answer moves its card to a later day.

    The answers are sent like a quiz's: the form may wait on the phone while offline (see /sw.js), and its
    submission key, kept on every card it graded, makes a resend grade nothing twice."""
    lang = current_language()
    if request.method == "GET":
        return render_template("reviews/review.html", due=due_today(current_user.id, lang),
                               submission_key=uuid.uuid4().hex)
    key = request.form.get("submission_key", "")
    if not SUBMISSION_KEY.fullmatch(key):
        abort(400)
    ids = [int(part) for part in request.form.get("cards", "").split(",") if part.isdigit()][:AT_ONCE]
    cards = db.session.scalars(sa.select(ReviewCard).where(ReviewCard.id.in_(ids),
                                                           ReviewCard.user_id == current_user.id))
    now = datetime.now(UTC)
    for card in cards:
        due = shown(card, lang)
        right = answer_of(due, request.form.getlist(f"r{card.id}")) if due else None
        if card.last_key != key and right is not None and card.due < end_of_today():
            scheduled, _ = SCHEDULER.review_card(card.fsrs_card(), Rating.Good if right else Rating.Again, now)
            card.keep(scheduled)
            card.reviews += 1
            card.last_key, card.last_right = key, right
    db.session.commit()
    return redirect(url_for("reviews.results", key=key))


@bp.get("/results/<key>")
@login_required
def results(key: str):
    """What one review form graded: each card right or not, its right answer and explanation."""
    if not SUBMISSION_KEY.fullmatch(key):
        abort(404)
    lang = current_language()
    cards = db.session.scalars(sa.select(ReviewCard).where(ReviewCard.user_id == current_user.id,
                                                           ReviewCard.last_key == key).order_by(ReviewCard.id))
    graded = [due for due in (shown(card, lang) for card in cards) if due]
    return render_template("reviews/results.html", graded=graded, left=due_count(current_user.id))


def init_app(_app) -> None:
    """Schedule reviews whenever an attempt or a sitting is saved."""
    if not sa.event.contains(Session, "before_flush", schedule_new_work):
        sa.event.listen(Session, "before_flush", schedule_new_work)
