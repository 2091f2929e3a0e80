"""A real HTTP receiver for webhook tests: ``http.server`` on 127.0.0.1 and a random port, in a thread.

It checks each request's signature the way docs/webhooks.md tells receivers to, answers with the
status codes a test scripts (then 200), and records everything it got.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.events.models import WebhookEndpoint
from autotrade.events.signing import new_secret

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    secret: str = ""
    responses: list[int] = field(default_factory=list)  # answered in order, then 200
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *codes: int) -> None:
        self.responses.extend(codes)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        # The receiver's side, as in docs/webhooks.md.
        timestamp = headers.get("X-Autotrade-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        return hmac.compare_digest(expected, headers.get("X-Autotrade-Signature", ""))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            with rec.lock:
                rec.got.append(Received(self.path, headers, body, rec.verify(headers, body)))
                code = rec.responses.pop(0) if rec.responses else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


def make_endpoint(
    db: Database,
    org_id: uuid.UUID,
    url: str,
    event_types: tuple[str, ...] = ("*",),
    *,
    active: bool = True,
    secret: str | None = None,
) -> tuple[uuid.UUID, str]:
    secret = secret or new_secret()
    with db.transaction() as s:
        bind_system(s, "test")
        ep = WebhookEndpoint(
            org_id=org_id, url=url, event_types=list(event_types), active=active, secret=secret
        )
        s.add(ep)
        s.flush()
        return ep.id, secret
