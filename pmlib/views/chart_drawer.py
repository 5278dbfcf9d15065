"""vl-convert for every kernel forked from a warm server, one for every two cores: each chart is drawn there, not in the kernel.

vl-convert starts a JavaScript engine and loads Vega-Lite the first time a
process draws a chart: half a second, in every notebook kernel, before a
chart that then takes a tenth of that. A kernel forked from the warm server
(``pmlib.run.warm_server``) finds the addresses of the drawers in
``PMLIB_CHART_DRAWER`` and sends each spec to one of them; the drawers,
started once beside the warm server, answer with vl-convert's SVG. It is the
same library and version on the same machine, so the SVG is the one the
kernel would have drawn (a test compares whole reports). Each drawer draws
one chart at a time, and a quarter's kernels, running side by side, draw
about fifty; ``pmlib.run.chart_drawing.addresses`` says how many a server
starts. Each spec goes to the drawer its text picks, so a chart two
processes ask for is drawn once, by one drawer, and found in its memory the
second time. The engine cannot be started in the warm server itself: its
threads would not survive the fork.

``pm build`` sends the charts of the pages it writes to the same drawers
(``drawing_at``) while the build's warm server runs: the measure pages show
the charts the plan notebooks draw, and a process that drew them itself
would start another engine and draw some of them again.

Anything that goes wrong on the way (no drawer, a closed socket, a spec
vl-convert refuses) sends the kernel back to drawing the chart itself, which
raises vl-convert's own error if the spec is at fault.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator

from pmlib.collector import exit_without_teardown
from pmlib.views.chart_fonts import first_chart

ADDRESS = "PMLIB_CHART_DRAWER"
KEPT = 4096  # SVGs kept, the least recently used dropped first; the demo's 48 reports draw 309 charts of about 12 KB
_LENGTH = struct.Struct("!Q")
_OK, _REFUSED = b"+", b"-"
_connections = threading.local()  # each thread's open connections, by address: pm build's pages are written in two threads
_given: str | None = None


def _receive(stream: io.BufferedReader, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise ConnectionError("the other end closed the connection")
    return data


def _message(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


@contextlib.contextmanager
def drawing_at(addresses: str | None) -> Iterator[None]:
    """Send this process's charts to the drawers at ``addresses`` (joined by ``os.pathsep``, as in ``PMLIB_CHART_DRAWER``) meanwhile."""
    global _given
    before, _given = _given, addresses
    try:
        yield
    finally:
        _given = before


def drawn_elsewhere(spec_json: str) -> str | None:
    """The drawer's SVG for a Vega-Lite spec (JSON text), or None when there is no drawer or it could not draw it."""
    addresses = (_given or os.environ.get(ADDRESS, "")).split(os.pathsep)
    if not addresses[0]:
        return None
    payload = spec_json.encode()
    address = addresses[zlib.crc32(payload) % len(addresses)]
    kept = _connections.__dict__
    try:
        if address not in kept:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(address)
            except OSError:
                sock.close()
                raise
            kept[address] = (sock, sock.makefile("rb"))
        sock, replies = kept[address]
        sock.sendall(_message(payload))
        status = _receive(replies, 1)
        (size,) = _LENGTH.unpack(_receive(replies, _LENGTH.size))
        answer = _receive(replies, size)
    except OSError:
        if address in kept:
            kept.pop(address)[0].close()
        return None
    return answer.decode() if status == _OK else None


class _Drawing(socketserver.StreamRequestHandler):
    """One kernel's connection: a spec in, its SVG out, until the kernel closes it.

    Each SVG is kept by its spec's exact JSON for as long as the drawer
    lives, so a chart another kernel drew already (and, under ``pm preview``,
    whose server lives from one rebuild to the next, every chart an edit did
    not touch) is sent again rather than drawn again: the same library draws
    the same spec the same way.
    """

    lock = threading.Lock()  # one drawing at a time: vl-convert's engine is not documented as safe across threads
    drawn: OrderedDict[bytes, bytes] = OrderedDict()

    def handle(self) -> None:
        while True:
            try:
                (size,) = _LENGTH.unpack(_receive(self.rfile, _LENGTH.size))
            except ConnectionError:
                return
            spec = _receive(self.rfile, size)
            try:
                with self.lock:
                    status, payload = _OK, self._svg(spec)
            except Exception as exc:  # the kernel draws it itself and meets vl-convert's error there
                status, payload = _REFUSED, str(exc).encode()
            self.wfile.write(status + _message(payload))
            self.wfile.flush()

    def _svg(self, spec: bytes) -> bytes:
        import vl_convert

        if spec in self.drawn:
            self.drawn.move_to_end(spec)
            return self.drawn[spec]
        with first_chart():
            svg = self.drawn[spec] = vl_convert.vegalite_to_svg(json.loads(spec)).encode()
        while len(self.drawn) > KEPT:
            self.drawn.popitem(last=False)
        return svg


WARM_UP = {"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def _warm_up() -> None:
    """Start vl-convert's engine now, before the first chart is asked for, which would otherwise wait for it (0.4 s).

    The drawer starts while the warm server imports, when a core is often
    free, and the first kernels ask for their charts a second or two later.
    """
    import vl_convert

    with _Drawing.lock, contextlib.suppress(Exception), first_chart():  # a drawer that cannot draw refuses each chart, as before
        vl_convert.vegalite_to_svg(WARM_UP)


def serve(address: str, lifeline: socket.socket) -> None:
    """Draw charts for whoever connects at ``address`` until ``lifeline`` closes."""
    server = socketserver.ThreadingUnixStreamServer(address, _Drawing)
    server.daemon_threads = True
    threading.Thread(target=_warm_up, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    lifeline.sendall(b"+")
    lifeline.recv(1)
    server.server_close()
    with contextlib.suppress(FileNotFoundError):  # its folder may have gone with a TMPDIR
        os.unlink(address)


if __name__ == "__main__":
    serve(sys.argv[1], socket.socket(fileno=int(sys.argv[2])))
    exit_without_teardown(0)  # vl-convert's engine need not be taken apart
