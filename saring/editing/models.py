"""Where editors' work lives: every saved text is a revision; a live pointer per file says which one learners get.

As in Wagtail, a revision is never changed: saving a draft, publishing and reverting each add one, and
a file's live revision is whichever its `ContentLive` row points to. A live revision without text
means the file in git is the content again. The highest live revision id is the content's version:
every app process sharing the database compares it with the one it loaded, so a publish reaches all
of them without copying files.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts import User
from ..database import utcnow
from ..extensions import db

MAX_PATH = 200
MAX_MESSAGE = 200


class ContentRevision(db.Model):
    """One saved text of one content file, with who saved it, when and why."""

    __tablename__ = "content_revisions"
    __table_args__ = (sa.Index("ix_content_revisions_path_id", "path", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(sa.String(MAX_PATH))  # as content check shows it: lessons/…, quizzes/…
    text: Mapped[str | None] = mapped_column(sa.Text)  # None: back to the file in git
    message: Mapped[str] = mapped_column(sa.String(MAX_MESSAGE), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # the live revision the editor started from (None: the file), to notice another editor's publish
    base_id: Mapped[int | None] = mapped_column(sa.ForeignKey("content_revisions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_draft(self) -> bool:
        """Whether this revision was saved without being published."""
        return self.published_at is None


class ContentLive(db.Model):
    """Which revision of a file learners get."""

    __tablename__ = "content_live"

    path: Mapped[str] = mapped_column(sa.String(MAX_PATH), primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id", ondelete="CASCADE"))
    revision: Mapped[ContentRevision] = relationship(lazy="joined")


class PublishedContent:
    """The content store's view of the database: the version, and the published texts by path."""

    def __init__(self, engine_of):
        self.engine_of = engine_of  # a callable: the app's engine, known once the app is built

    def version(self) -> int:
        """The highest live revision id (0 when nothing is published); raises when the database fails."""
        with self.engine_of().connect() as connection:
            return connection.scalar(sa.select(sa.func.max(ContentLive.revision_id))) or 0

    def texts(self) -> tuple[int, dict[str, str]]:
        """The version and every published text that overrides (or adds) a file, read together."""
        with self.engine_of().connect() as connection:
            rows = connection.execute(sa.select(ContentLive.path, ContentLive.revision_id, ContentRevision.text)
                                      .join(ContentRevision, ContentRevision.id == ContentLive.revision_id)).all()
        return max((row.revision_id for row in rows), default=0), \
            {row.path: row.text for row in rows if row.text is not None}


def live_revisions() -> dict[str, ContentRevision]:
    """Every file's live revision, by path."""
    return {live.path: live.revision for live in db.session.scalars(sa.select(ContentLive))}


def latest_drafts() -> dict[str, ContentRevision]:
    """Each file's newest revision, by path, where it is a draft newer than what is live."""
    newest = sa.select(sa.func.max(ContentRevision.id)).group_by(ContentRevision.path).scalar_subquery()
    revisions = db.session.scalars(sa.select(ContentRevision).where(ContentRevision.id.in_(newest),
                                                                    ContentRevision.published_at.is_(None)))
    return {revision.path: revision for revision in revisions}


def history(path: str) -> list[ContentRevision]:
    """A file's revisions, newest first."""
    return list(db.session.scalars(sa.select(ContentRevision).where(ContentRevision.path == path)
                                   .order_by(ContentRevision.id.desc())))
