"""Moved to ``pmlib.errors``; this re-export goes once every import names that module."""

from pmlib.errors import Problem, Severity, sort_problems  # noqa: F401
