"""The ``pm`` command: one click group (``common``) whose commands are defined by what they do, publishing or intake.

Every command prints its errors one way: each ``Problem`` of the
``PmlibError`` it raised as ``FILE:ROW: COLUMN: message`` on stdout
(warnings on stderr), a one-line summary on stderr, and exit 1. Only
click's own usage errors (a bad option) look different.
"""

from pmlib.cli import intake, publishing  # noqa: F401  (each module adds its commands to main)
from pmlib.cli.common import main

__all__ = ["main"]
