"""The ``pm`` command: one click group (``common``) whose commands are defined by what they do, publishing or intake.

Every command prints its errors one way: each ``Problem`` of the
``PmlibError`` it raised as ``FILE:ROW: COLUMN: message`` on stdout
(warnings on stderr), a one-line summary on stderr, and exit 1. Only
click's own usage errors (a bad option) look different.

``main`` is made on first use: ``pm`` starts in ``build_server``, which must
not import the commands (and pandas with them) for a build it hands over.
"""

__all__ = ["main"]


def __getattr__(name: str):
    if name == "main":
        from pmlib.cli import intake, publishing  # noqa: F401  (each module adds its commands to main)
        from pmlib.cli.common import main

        return main
    raise AttributeError(f"module 'pmlib.cli' has no attribute {name!r}")
