"""The discernment check: before and after a course, how well learners tell genuine messages from false."""

from . import models
from .views import bp

__all__ = ["bp", "models"]
