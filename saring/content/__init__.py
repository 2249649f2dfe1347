"""Lessons and quizzes read from files: loading, rendering, checking."""

from .loader import load_library
from .model import ContentError, Lesson, Library, Module, Option, Question, Quiz, QuizText
from .store import get_library, init_app

__all__ = [
    "ContentError", "Lesson", "Library", "Module", "Option", "Question", "Quiz", "QuizText",
    "get_library", "init_app", "load_library",
]
