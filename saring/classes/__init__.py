"""Teachers and classes: join codes, assignments with due dates."""

from .models import Assignment, Classroom, Membership
from .views import bp

__all__ = ["Assignment", "Classroom", "Membership", "bp"]
