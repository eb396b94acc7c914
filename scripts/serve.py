#!/usr/bin/env python3
"""Serve a folder (dist/ by default) on 127.0.0.1 for development and the browser tests.

Only what python3's http.server lacks is added: the `application/wasm` type (so the page can stream-compile
its module), `no-store` caching, and cross-origin isolation headers (finer `performance.now()` for the
benchmark; the page itself needs none of them). With `--port 0` the OS picks a free port. The first line on
stdout is always `serving <dir> on http://127.0.0.1:<port>/`, which the tests read.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".txt": "text/plain; charset=utf-8",
        ".css": "text/css",
        ".html": "text/html; charset=utf-8",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default="dist")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    a = ap.parse_args()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", a.port), functools.partial(Handler, directory=a.dir)
    )
    server.quiet = a.quiet
    print(f"serving {a.dir} on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
