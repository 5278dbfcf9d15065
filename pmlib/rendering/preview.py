"""``pm preview``: the built site served on this machine, rebuilt when its sources change, with the open page reloaded.

An analyst edits commentary and figures many times a day and wants to see the
page as Cabinet will. The site is served from ``127.0.0.1`` only (never the
network: the data may be unpublished). The sources are watched by polling
their modification times twice a second, which needs no native watcher and
works on the network drives councils keep their data on. Each page the server
sends gains one small script that asks the server for the build's number
every second and reloads when it changes; a failed build shows its problems
on the page, in the same ``FILE:ROW: COLUMN: message`` lines as the terminal,
while the last good site is still served (the build swaps a folder in whole,
so a failure leaves it as it was).

The problems show in a box fixed to the foot of the window, an alert that a
screen reader reads as it appears. Its text is only replaced when the
problems change, since replacing an alert's text, even with the same words,
has it read out again every second. The page gains padding and scroll padding
as tall as the box, so the end of the page and whatever has the keyboard
focus can always be brought above it (WCAG 2.2's focus not obscured), and
the box takes the focus itself, so a long list can be scrolled by keyboard.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pmlib.errors import Problem

STATE_PATH = "/__pm_preview/state"
POLL_SECONDS = 0.5
_SCRIPT = """<script>
(function () {
  var seen = null;
  function banner(lines) {
    var box = document.getElementById("pm-preview-problems");
    var root = document.documentElement.style, body = document.body.style;
    if (!lines.length) {
      if (box) { box.remove(); root.scrollPaddingBottom = ""; body.paddingBottom = ""; }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "pm-preview-problems";
      box.setAttribute("role", "alert");
      box.setAttribute("tabindex", "0");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;z-index:9999;" +
        "background:#fef7f6;color:#0b0c0c;border-top:5px solid #d4351c;padding:0.75rem 1rem;font:14px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    var text = "The last build failed; this is the last good site.\\n" + lines.join("\\n");
    if (box.textContent !== text) { box.textContent = text; }
    root.scrollPaddingBottom = body.paddingBottom = box.offsetHeight + "px";
  }
  function ask() {
    fetch("STATE", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.build !== seen) { location.reload(); return; }
      seen = state.build;
      banner(state.problems);
    }).catch(function () {}).then(function () { setTimeout(ask, 1000); });
  }
  ask();
})();
</script>
""".replace("STATE", STATE_PATH)


@dataclass
class PreviewState:
    """The newest successful build's number and the newest failed build's problems (empty once a build succeeds)."""

    build: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        """What the page's script reads."""
        with self.lock:
            return json.dumps({"build": self.build, "problems": self.problems}).encode("utf-8")


class _Handler(SimpleHTTPRequestHandler):
    """Files from the site folder, each HTML page with the reload script, and the state the script asks for."""

    state: PreviewState

    def __init__(self, *args, state: PreviewState, **kwargs):
        self.state = state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path.split("?")[0] == STATE_PATH:
            return self._send(self.state.as_json(), "application/json")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_text(encoding="utf-8")
            at = page.rfind("</body>")
            page = page[:at] + _SCRIPT + page[at:] if at >= 0 else page + _SCRIPT
            return self._send(page.encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the terminal is for build results and problems."""


def _snapshot(paths: Iterable[Path]) -> dict[str, float]:
    """Every watched file's modification time and size, by path; a folder is walked, skipping hidden and temporary files."""
    found: dict[str, float] = {}
    for root in paths:
        if root.is_file():
            found[str(root)] = root.stat().st_mtime_ns + root.stat().st_size
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__"))]
            for name in files:
                if name.startswith((".", "~")) or name.endswith((".tmp", ".swp")):
                    continue
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except FileNotFoundError:
                    continue
                found[path] = stat.st_mtime_ns + stat.st_size
    return found


def serve(
    site: Path,
    port: int,
    watched: list[Path],
    rebuild: Callable[[], list[Problem]],
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Build, serve ``site`` on 127.0.0.1:``port`` and rebuild whenever a watched file changes, until ``stop`` or Ctrl-C.

    ``rebuild`` returns the problems of a failed build (none: it succeeded).
    The address is the first line printed, so a script can read it.
    """
    state = PreviewState()
    site.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Handler, directory=str(site), state=state)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    echo(f"http://127.0.0.1:{server.server_address[1]}/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = stop or threading.Event()

    def run_build() -> None:
        problems = rebuild()
        errors = [p for p in problems if p.severity == "error"]
        with state.lock:
            if errors:
                state.problems = [p.format() for p in errors]
            else:
                state.build += 1
                state.problems = []
        echo(f"Preview: build failed with {len(errors)} error(s); still serving the last good site." if errors else "Preview: rebuilt.")

    try:
        seen = _snapshot(watched)
        run_build()
        while not stop.wait(POLL_SECONDS):
            now = _snapshot(watched)
            if now != seen:
                time.sleep(POLL_SECONDS)  # let an editor finish writing before building
                seen = _snapshot(watched)
                run_build()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        echo("Preview stopped.")
