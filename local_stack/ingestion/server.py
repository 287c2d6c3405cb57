"""The HTTP side: a threading stdlib server handing /__ingest to the admin and the rest to the public routes."""
from __future__ import annotations

import contextlib
import gzip
import ipaddress
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from . import admin, routes
from .answers import JSON, Answer, message

if TYPE_CHECKING:
    from .service import IngestionService

log = logging.getLogger(__name__)
GZIP_MIN_BYTES = 1024  # smaller answers go as they are
GZIP_LEVEL = 5  # a listing page of 1,000 items: ~4 ms here, about 8x smaller


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip (``gzip`` or ``*``, without ``q=0``)."""
    for part in (header or "").split(","):
        coding, _, parameters = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = parameters.strip().lower().removeprefix("q=").strip() if parameters.strip() else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: an exporter reuses its pooled connections
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    service: IngestionService

    def version_string(self) -> str:
        return "ingest"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the delivery log (service.deliveries) replaces per-request lines

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self) -> None:
        body = self._body()
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query))
        try:
            if split.path == "/__ingest" or split.path.startswith("/__ingest/"):
                if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                    result = message(403, "the ingestion admin is local only")
                else:
                    result = admin.handle(self.service, self.command, split.path, query, body)
            else:
                result = routes.dispatch(self.service, self.command, split.path, query, self.headers, body)
        except Exception as error:  # a simulator bug: answer 500 and keep a note for the tests
            log.exception("ingestion service failed on %s %s", self.command, split.path)
            self.service.failures.append(f"{self.command} {split.path}: {type(error).__name__}: {error}")
            result = message(500, f"ingestion service error: {type(error).__name__}")
        self._send(result)

    def _send(self, result: Answer) -> None:
        if result.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = result.body
        if len(body) >= GZIP_MIN_BYTES and accepts_gzip(self.headers.get("Accept-Encoding")):
            body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            result.headers["Content-Encoding"] = "gzip"
        self.send_response(result.status)
        self.send_header("Content-Type", JSON)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        for name, value in result.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve(service: IngestionService, host: str, port: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    handler = type("Handler", (_Handler,), {"service": service})
    server = _Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="ingestion-service", daemon=True,
                              kwargs={"poll_interval": 0.01})  # stop() returns quickly
    thread.start()
    return server, thread
