"""Classes, who is in them, and the modules assigned to them."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts import User
from ..database import utcnow
from ..extensions import db
from ..pagecache import shown_to

# Easy to read out loud and to copy from a board: no 0/O, 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A random join code such as `K7PQ2M`."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(typed: str) -> str:
    """What a learner typed, as stored: capitals, without spaces or dashes."""
    return "".join(typed.split()).replace("-", "").upper()[:JOIN_CODE_LENGTH * 2]


def members_of(classroom_id: int) -> sa.Select:
    """The ids of a class's learners."""
    return sa.select(Membership.user_id).where(Membership.classroom_id == classroom_id)


@shown_to(lambda classroom: members_of(classroom.id))
class Classroom(db.Model):
    """A teacher's class, which learners join with its code."""

    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    school: Mapped[str] = mapped_column(sa.String(120), default="")
    grade: Mapped[str] = mapped_column(sa.String(20), default="")
    join_code: Mapped[str] = mapped_column(sa.String(JOIN_CODE_LENGTH), unique=True)
    joining_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    teacher: Mapped[User] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        cascade="all, delete-orphan", order_by="Assignment.id", lazy="selectin")


@shown_to(lambda membership: [membership.user_id])
class Membership(db.Model):
    """A learner in a class."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # made by this class's teacher with "Add learners": only such accounts may the teacher reset
    created_here: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    user: Mapped[User] = relationship()


@shown_to(lambda assignment: members_of(assignment.classroom_id))
class Assignment(db.Model):
    """A module a class must do, with an optional due date."""

    __tablename__ = "assignments"
    __table_args__ = (sa.UniqueConstraint("classroom_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(sa.String(64))
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
