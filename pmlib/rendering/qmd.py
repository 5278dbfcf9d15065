"""Writing generated ``.qmd`` pages safely: text from the data as literal Markdown, HTML in raw blocks, links to sources.

Every generated page goes through these few functions, so no text a council
typed can become markup, and links name source files that each renderer maps
to the page it writes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import yaml

from pmlib.rendering.documents import RAW_HTML


def link(target: Path, page: Path) -> str:
    """A relative link from the page being written to a source file, percent-encoded for both Markdown readers."""
    return quote(Path(os.path.relpath(os.path.abspath(target), os.path.abspath(page.parent))).as_posix(), safe="/._-~")


def raw_html(html: str) -> str:
    """HTML in a raw block whose fence is longer than any run of backticks inside, so text in a table cannot close it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", html)), default=0))
    return f"{fence}{RAW_HTML}\n{html.strip()}\n{fence}"


def page(title: str, *parts: str) -> str:
    """A page: YAML front matter with its title, then its parts as Markdown paragraphs."""
    front = yaml.safe_dump({"title": title}, allow_unicode=True, width=10_000, sort_keys=True)
    return f"---\n{front}---\n\n" + "\n\n".join(p.strip() for p in parts if p and p.strip()) + "\n"


def long_date(value) -> str:
    """A date as GOV.UK style writes it: 10 November 2021."""
    return f"{value:%-d %B %Y}"
