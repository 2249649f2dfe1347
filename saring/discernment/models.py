"""A learner's sittings of the discernment check: which form, before or after the course, and each answer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..pagecache import shown_to
from .scoring import Discernment

PHASES = ("before", "after")


@shown_to(lambda sitting: [sitting.user_id])
class CheckSitting(db.Model):
    """One submitted check; its counts are kept, so a report never needs the answers."""

    __tablename__ = "check_sittings"
    __table_args__ = (sa.UniqueConstraint("user_id", "submission_key"), sa.Index("ix_check_sittings_user_phase",
                                                                                  "user_id", "phase"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(sa.String(8))
    phase: Mapped[str] = mapped_column(sa.String(8))
    lang: Mapped[str] = mapped_column(sa.String(5))
    submission_key: Mapped[str] = mapped_column(sa.String(32))
    caught: Mapped[int]
    false_items: Mapped[int]
    trusted: Mapped[int]
    genuine_items: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[list[CheckAnswer]] = relationship(
        back_populates="sitting", cascade="all, delete-orphan", order_by="CheckAnswer.id")

    @property
    def score(self) -> Discernment:
        """The sitting's discernment and bias."""
        return Discernment(self.caught, self.false_items, self.trusted, self.genuine_items)


class CheckAnswer(db.Model):
    """What a learner said of one item: false or genuine, and whether that was right."""

    __tablename__ = "check_answers"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("check_sittings.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    said_false: Mapped[bool]
    correct: Mapped[bool]
    sitting: Mapped[CheckSitting] = relationship(back_populates="answers")
