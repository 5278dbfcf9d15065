"""Write the README's pictures of the Cabinet pack: its cover, executive summary and first exception report.

The pictures let a reader see the pack before building it, so they must be
what the build makes today: tests/test_pack.py runs this on the pack the
tests build and fails if a committed picture differs. Regenerate with:

    .venv/bin/pm build --latest && .venv/bin/python scripts/pack_images.py

Pages are found by their text (with poppler's pdftotext), not by number, so
a longer contents page or section does not change which page is shown; the
contents' own entries (lines with dot leaders) do not count.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH_PX = 800
# (file name, text that first appears on the page to show; None: the first page)
PAGES = (
    ("pack-cover.png", None),
    ("pack-summary.png", "Status by delivery plan"),
    ("pack-exception-report.png", "Exception report:"),
)


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _heads(page_text: str, marker: str) -> bool:
    """Whether the page has ``marker`` as text of its own, not as an entry in the contents (a line with dot leaders)."""
    return any(marker in line and ". ." not in line and "..." not in line for line in page_text.splitlines())


def find_pages(pdf: Path) -> dict[str, int]:
    """The 1-based page number of each picture, by the text that first appears on it."""
    texts = _page_texts(pdf)
    found = {}
    for name, marker in PAGES:
        page = 1 if marker is None else next((i + 1 for i, t in enumerate(texts) if _heads(t, marker)), None)
        if page is None:
            raise SystemExit(f"{pdf}: no page contains {marker!r}; the pack's structure changed, so update PAGES in {__file__}")
        found[name] = page
    return found


def write_images(pdf: Path, out_dir: Path) -> list[Path]:
    """Each picture as a PNG ``WIDTH_PX`` wide, from pdftoppm."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, page in find_pages(pdf).items():
            stem = Path(scratch) / Path(name).stem
            subprocess.run(
                ["pdftoppm", "-f", str(page), "-l", str(page), "-singlefile", "-png", "-scale-to-x", str(WIDTH_PX), "-scale-to-y", "-1"]
                + [str(pdf), str(stem)],
                check=True,
            )
            target = out_dir / name
            shutil.move(f"{stem}.png", target)
            written.append(target)
    return written


def latest_pack(site: Path) -> Path:
    """The newest quarter's pack in a built site."""
    packs = sorted((site / "packs").glob("*.pdf"))
    if not packs:
        raise SystemExit(f"no pack in {site / 'packs'}: run `pm build --latest` first")
    return packs[-1]


def main(argv: list[str] | None = None) -> int:
    """Command line: the pack to picture (default: the latest in _site/packs) and where the pictures go."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, help="the pack (default: the latest in _site/packs/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go (default: docs/images)")
    args = parser.parse_args(argv)
    pdf = args.pdf or latest_pack(ROOT / "_site")
    for path in write_images(pdf, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
