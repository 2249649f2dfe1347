"""Teachers and classes: join codes, assignments with due dates."""

from . import checkreport, paper, reports, roster  # noqa: F401 (their views join the blueprint)
from .models import Assignment, Classroom, Membership
from .views import bp

__all__ = ["Assignment", "Classroom", "Membership", "bp"]
