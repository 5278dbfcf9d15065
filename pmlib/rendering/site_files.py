"""What the website carries beside its pages, made the same way after either renderer has written them.

The Atom feeds and the search index are made from the finished site (the
index reads the published HTML, so it finds what a reader sees), so the
built-in renderer makes them after its pages and Quarto in its post-render
step: one function, so the two sites cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from pmlib.contract.periods import Period
from pmlib.project import Project


def publish_site_files(project: Project, quarters: list[Period], site_dir: Path) -> list[Path]:
    """Write the feeds, then the search index over every page, into ``site_dir``; the files written, sorted."""
    from pmlib.rendering.feeds import write_feeds
    from pmlib.rendering.search import index_site

    written = write_feeds(project, quarters, site_dir)
    written += index_site(site_dir)
    return sorted(written)
