"""Running totals for the item report, kept in the transaction that changes what they count.

Summing every learner's first attempt on each request takes seconds at 100,000 learners, so the
sums the report needs are kept with the data, a few hundred rows however many learners there are:

- `first_attempts`: which attempt is a learner's first at a module. Saving an attempt claims it
  (INSERT … ON CONFLICT DO NOTHING), so of two first attempts sent at once from two devices one
  claims the place and only that one is counted;
- `quiz_tallies`: per module, the learners who attempted its quiz (one claim each);
- `question_tallies`: per question, the answers of first attempts, the right ones, and the sums of
  the rest of the score (the attempt's other questions right) that the discrimination needs;
- `choice_tallies`: per question and options chosen ("a,c"), the first attempts that chose them, so
  the report finds the wrong options against the key as it is now;
- `lesson_tallies`: per lesson, the learners who finished it;
- `lesson_start_tallies`: per lesson, the learners who opened it.

Two flush hooks keep them: a new attempt that claims its place adds its answers, a new finished or
opened lesson adds 1, and a deleted account, attempt or finished or opened lesson is taken out before its rows go
(the account's rows go by ON DELETE CASCADE, out of the ORM's sight). Rows that reach 0 go, so the
tallies always equal `recount()` from the raw tables. Attempts, answers and finished lessons are
never changed once saved (nor are opened ones); the hook refuses a flush that changes what is counted, and rows changed
with `sa.insert`/`sa.update`/`sa.delete`, which skip the flush, are counted only by `recount()`
(`flask content recount`).
"""

from __future__ import annotations

import functools
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..accounts import User
from ..database import DIALECT_INSERTS
from ..extensions import db
from ..learning import LessonProgress, LessonStart
from ..quizzes import QuizAnswer, QuizAttempt

# what a tally counts of each row: changing it after the row was counted would leave the tallies wrong
COUNTED = {QuizAttempt: ("user_id", "module_id", "score"),
           QuizAnswer: ("attempt_id", "question_id", "chosen", "correct"),
           LessonProgress: ("user_id", "module_id", "lesson_id"), LessonStart: ("user_id", "module_id", "lesson_id")}
UNCLAIMED = "saring.tallies.unclaimed"  # session.info: (learner, module) whose first attempt went this flush


class FirstAttempt(db.Model):
    """The attempt that counts for a learner at a module: the first saved."""

    __tablename__ = "first_attempts"

    user_id: Mapped[int] = mapped_column(primary_key=True)  # the attempt's, which goes with the account
    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), unique=True)


class QuizTally(db.Model):
    """The learners who attempted a module's quiz."""

    __tablename__ = "quiz_tallies"

    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    takers: Mapped[int]


class QuestionTally(db.Model):
    """A question's answers in first attempts, and what its discrimination needs (item_report.Sums).

    For each answer, right is 1 or 0 and rest is the attempt's score without it (score - right).
    """

    __tablename__ = "question_tallies"

    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    answers: Mapped[int]
    right_answers: Mapped[int]
    rest_sum: Mapped[int] = mapped_column(sa.BigInteger)  # Σ rest
    rest_sum_right: Mapped[int] = mapped_column(sa.BigInteger)  # Σ right·rest
    rest_squares: Mapped[int] = mapped_column(sa.BigInteger)  # Σ rest²


class ChoiceTally(db.Model):
    """How many first attempts chose exactly these options ("a,c") for a question."""

    __tablename__ = "choice_tallies"

    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    chosen: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    answers: Mapped[int]


class LessonTally(db.Model):
    """The learners who finished a lesson."""

    __tablename__ = "lesson_tallies"

    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    finished: Mapped[int]


class LessonStartTally(db.Model):
    """The learners who opened a lesson."""

    __tablename__ = "lesson_start_tallies"

    module_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    started: Mapped[int]


TALLIES = ((QuizTally, QuizTally.takers), (QuestionTally, QuestionTally.answers), (ChoiceTally, ChoiceTally.answers),
           (LessonTally, LessonTally.finished), (LessonStartTally, LessonStartTally.started))


@functools.cache
def adding(dialect: str, model) -> sa.Insert:
    """The upsert that adds a row's counts to the tally with its key, made if missing.

    Built once per dialect: SQLAlchemy caches no dialect's INSERT … ON CONFLICT, so each use compiles it.
    """
    table = model.__table__
    insert = DIALECT_INSERTS[dialect](table)
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={column.name: column + insert.excluded[column.name] for column in table.columns
              if not column.primary_key})


def add(connection: sa.Connection, model, counts: dict[tuple, tuple[int, ...]], sign: int) -> None:
    """Add `sign` times each key's counts (in the model's column order) to its tally; rows that reach 0 go.

    Keys go in order, so two transactions lock the tallies they share in the same order (PostgreSQL).
    """
    if not counts:
        return
    names = [column.name for column in model.__table__.columns]
    connection.execute(adding(connection.dialect.name, model),
                       [dict(zip(names, (*key, *(sign * count for count in sums)), strict=True))
                        for key, sums in sorted(counts.items())])
    if sign < 0:
        count = next(column for tallied, column in TALLIES if tallied is model)
        connection.execute(sa.delete(model).where(count <= 0))


def count_attempts(connection: sa.Connection, attempts, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) first attempts, each (module id, score, [(question id, chosen, right)]).

    For each answer, right is 1 or 0 and rest the score without it, as item_report.Sums reads them.
    """
    takers, choices, questions = Counter(), Counter(), {}
    for module_id, score, answers in attempts:
        takers[module_id,] += 1
        for question_id, chosen, correct in answers:
            right = int(correct)
            rest = score - right
            sums = questions.setdefault((module_id, question_id), [0] * 5)
            for position, value in enumerate((1, right, rest, right * rest, rest * rest)):
                sums[position] += value
            choices[module_id, question_id, chosen] += 1
    add(connection, QuizTally, {key: (n,) for key, n in takers.items()}, sign)
    add(connection, QuestionTally, {key: tuple(sums) for key, sums in questions.items()}, sign)
    add(connection, ChoiceTally, {key: (n,) for key, n in choices.items()}, sign)


def saved_attempts(connection: sa.Connection, attempt_ids: list[int]) -> list:
    """The stored attempts with these ids, as count_attempts takes them, in one query."""
    found: dict[int, tuple] = {}
    if attempt_ids:
        for attempt_id, module_id, score, question_id, chosen, correct in connection.execute(
                sa.select(QuizAttempt.id, QuizAttempt.module_id, QuizAttempt.score, QuizAnswer.question_id,
                          QuizAnswer.chosen, QuizAnswer.correct)
                .join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id).where(QuizAttempt.id.in_(attempt_ids))):
            found.setdefault(attempt_id, (module_id, score, []))[2].append((question_id, chosen, correct))
    return list(found.values())


def count_lessons(connection: sa.Connection, lessons, sign: int, model=LessonTally) -> None:
    """Add (sign 1) or take out (sign -1) finished lessons (or opened ones, to LessonStartTally), each
    (module id, lesson id)."""
    add(connection, model, {key: (n,) for key, n in Counter(map(tuple, lessons)).items()}, sign)


def claim_earliest(connection: sa.Connection, attempts) -> sa.Insert:
    """The INSERT … SELECT that claims, for each learner and module without a first attempt, their earliest
    attempt among those that meet `attempts`."""
    return DIALECT_INSERTS[connection.dialect.name](FirstAttempt).from_select(
        ["user_id", "module_id", "attempt_id"],
        sa.select(QuizAttempt.user_id, QuizAttempt.module_id, sa.func.min(QuizAttempt.id)).where(attempts)
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id)).on_conflict_do_nothing()


def refuse_changes_to_counted_rows(session: Session) -> None:
    """Raise if a flush would change what a tally counted: attempts, answers, finished and opened lessons stay as
    saved."""
    changed = [row for row in session.dirty if type(row) in COUNTED
               and any(sa.inspect(row).attrs[name].history.has_changes() for name in COUNTED[type(row)])]
    changed += [row for row in session.new if isinstance(row, QuizAnswer) and row.attempt not in session.new]
    changed += [row for row in session.deleted if isinstance(row, QuizAnswer) and row.attempt not in session.deleted]
    if changed:
        raise RuntimeError(f"{changed[0]!r}: a saved attempt, answer or finished lesson is never changed, or the "
                           "item report's tallies would be wrong (delete the attempt, or run recount())")


def take_out_deleted(session: Session, _flush_context, _instances) -> None:
    """Before a flush deletes accounts, attempts, finished or opened lessons: take them out of the tallies.

    The claims go first: like a new attempt's, before any tally (see `recount`).
    """
    refuse_changes_to_counted_rows(session)
    users = {row.id for row in session.deleted if isinstance(row, User)}
    attempts = [row.id for row in session.deleted if isinstance(row, QuizAttempt) and row.user_id not in users]
    lessons, starts = ([(row.module_id, row.lesson_id) for row in session.deleted if isinstance(row, model)
                        and row.user_id not in users] for model in (LessonProgress, LessonStart))
    if not (users or attempts or lessons or starts):
        return
    connection = session.connection()
    claims = connection.execute(sa.delete(FirstAttempt).where(
        sa.or_(FirstAttempt.user_id.in_(users), FirstAttempt.attempt_id.in_(attempts)))
        .returning(FirstAttempt.attempt_id, FirstAttempt.user_id, FirstAttempt.module_id)).all()
    count_attempts(connection, saved_attempts(connection, [claim.attempt_id for claim in claims]), -1)
    if users:  # the accounts' finished and opened lessons, which go by ON DELETE CASCADE
        lessons += connection.execute(sa.select(LessonProgress.module_id, LessonProgress.lesson_id)
                                      .where(LessonProgress.user_id.in_(users))).all()
        starts += connection.execute(sa.select(LessonStart.module_id, LessonStart.lesson_id)
                                     .where(LessonStart.user_id.in_(users))).all()
    count_lessons(connection, lessons, -1)
    count_lessons(connection, starts, -1, LessonStartTally)
    # a learner who keeps other attempts at the module: the earliest of them becomes the first, after the flush
    session.info.setdefault(UNCLAIMED, set()).update(
        (claim.user_id, claim.module_id) for claim in claims if claim.user_id not in users)


def add_new(session: Session, _flush_context) -> None:
    """After a flush saved attempts, finished or opened lessons: add the first attempts and the lessons to the
    tallies."""
    attempts = sorted((row for row in session.new if isinstance(row, QuizAttempt)), key=lambda row: row.id)
    lessons, starts = ([(row.module_id, row.lesson_id) for row in session.new if isinstance(row, model)]
                       for model in (LessonProgress, LessonStart))
    unclaimed = session.info.pop(UNCLAIMED, set())
    if not (attempts or lessons or starts or unclaimed):
        return
    connection = session.connection()
    if attempts:
        claimed = set(connection.execute(
            DIALECT_INSERTS[connection.dialect.name](FirstAttempt).on_conflict_do_nothing().returning(FirstAttempt.attempt_id),
            [{"user_id": row.user_id, "module_id": row.module_id, "attempt_id": row.id} for row in attempts]
        ).scalars())
        count_attempts(connection, [(row.module_id, row.score, [(a.question_id, a.chosen, a.correct)
                                                                for a in row.answers])
                                    for row in attempts if row.id in claimed], 1)
    if unclaimed:
        promoted = connection.execute(claim_earliest(connection, sa.or_(*(
            sa.and_(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)
            for user_id, module_id in sorted(unclaimed)))).returning(FirstAttempt.attempt_id)).scalars().all()
        count_attempts(connection, saved_attempts(connection, promoted), 1)
    count_lessons(connection, lessons, 1)
    count_lessons(connection, starts, 1, LessonStartTally)


def recount(connection: sa.Connection) -> None:
    """Rebuild every tally from quiz_attempts, quiz_answers, lesson_progress and lesson_starts, in one transaction.

    A learner's first attempt at a module stays the one that claimed it; where none did (rows written
    with bulk inserts), their earliest attempt is claimed. On PostgreSQL the tallies are locked against
    writers while it runs (readers go on); a writer either committed before the lock, and is counted,
    or waits for the recount and adds its rows to the rebuilt tallies then. A writer that changes
    several tallies writes first_attempts first, so it never holds one the recount waits for.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"LOCK TABLE {FirstAttempt.__tablename__}, "
                                   f"{', '.join(model.__tablename__ for model, _ in TALLIES)} IN EXCLUSIVE MODE"))
    connection.execute(claim_earliest(connection, sa.true()))
    for model, _ in TALLIES:
        connection.execute(sa.delete(model))
    right = sa.cast(QuizAnswer.correct, sa.Integer)
    rest = QuizAttempt.score - right
    first = sa.select().select_from(FirstAttempt).join(QuizAttempt, QuizAttempt.id == FirstAttempt.attempt_id)
    answers = first.join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
    for model, rows in (
            (QuizTally, first.add_columns(QuizAttempt.module_id, sa.func.count()).group_by(QuizAttempt.module_id)),
            (QuestionTally, answers.add_columns(
                QuizAttempt.module_id, QuizAnswer.question_id, sa.func.count(), sa.func.sum(right),
                sa.func.sum(rest), sa.func.sum(right * rest), sa.func.sum(rest * rest))
             .group_by(QuizAttempt.module_id, QuizAnswer.question_id)),
            (ChoiceTally, answers.add_columns(QuizAttempt.module_id, QuizAnswer.question_id, QuizAnswer.chosen,
                                              sa.func.count())
             .group_by(QuizAttempt.module_id, QuizAnswer.question_id, QuizAnswer.chosen)),
            (LessonTally, sa.select(LessonProgress.module_id, LessonProgress.lesson_id, sa.func.count())
             .group_by(LessonProgress.module_id, LessonProgress.lesson_id)),
            (LessonStartTally, sa.select(LessonStart.module_id, LessonStart.lesson_id, sa.func.count())
             .group_by(LessonStart.module_id, LessonStart.lesson_id))):
        connection.execute(sa.insert(model).from_select([column.name for column in model.__table__.columns], rows))


def init_app(_app) -> None:
    """Keep the tallies with every flush."""
    for name, hook in (("before_flush", take_out_deleted), ("after_flush", add_new)):
        if not sa.event.contains(Session, name, hook):
            sa.event.listen(Session, name, hook)
