"""The editor workspace: drafts, checks, previews, publishing and history of content, and the item report."""

from .models import PublishedContent

__all__ = ["PublishedContent"]
