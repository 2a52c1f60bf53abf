"""A local Enhetsregisteret: the committed fixtures served over real HTTP on a free port, with
per-orgnr misbehaviour (slow, malformed, 404, 410, 500, fail-then-succeed) for the tests."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from members.enhetsregisteret import fixture_entries

PREFIX = "/enhetsregisteret/api/enheter/"


class RegisterServer:
    def __init__(self):
        self.documents = fixture_entries()
        self.behaviour: dict[
            str, str
        ] = {}  # orgnr → slow | malformed | huge | 404 | 410 | 500 | flaky
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/enhetsregisteret/api"

    def count(self, orgnr: str) -> int:
        with self.lock:
            return sum(1 for path in self.requests if path == PREFIX + orgnr)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - the stdlib's name
                with server.lock:
                    server.requests.append(self.path)
                    seen = sum(1 for p in server.requests if p == self.path)
                if not self.path.startswith(PREFIX):
                    return self._send(404, b"{}")
                orgnr = self.path[len(PREFIX) :]
                behaviour = server.behaviour.get(orgnr, "")
                if behaviour == "slow":
                    time.sleep(1.5)
                elif behaviour == "huge":
                    return self._send(200, b'{"navn": "' + b"A" * 400_000 + b'"}')
                elif behaviour == "malformed":
                    return self._send(200, b'{"organisasjonsnummer": "' + orgnr.encode() + b'", ')
                elif behaviour == "500" or (behaviour == "flaky" and seen == 1):
                    return self._send(500, b'{"status": 500, "error": "Internal Server Error"}')
                elif behaviour == "404":
                    return self._send(404, b'{"status": 404, "error": "Not Found"}')
                document = server.documents.get(orgnr)
                if document is None:
                    return self._send(404, b'{"status": 404, "error": "Not Found"}')
                if behaviour == "410" or "slettedato" in document:
                    # A deleted unit: 410 Gone with the deletion date, as the register answers.
                    body = {
                        "organisasjonsnummer": orgnr,
                        "slettedato": document.get("slettedato", "2024-01-01"),
                    }
                    return self._send(410, json.dumps(body).encode())
                body = json.dumps(document, ensure_ascii=False).encode()
                return self._send(200, body, "application/json; charset=utf-8")

        return Handler


@pytest.fixture
def register_server(settings):
    server = RegisterServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    settings.ENHETSREGISTERET_URL = server.url
    settings.ENHETSREGISTERET_TIMEOUT = 0.5
    settings.ENHETSREGISTERET_RETRIES = 1
    settings.ENHETSREGISTERET_BACKOFF = 0
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
