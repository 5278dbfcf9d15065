"""``python -m pmlib.cli``: the ``pm`` command, for a process started without the installed script."""

from pmlib.cli import main

main()
