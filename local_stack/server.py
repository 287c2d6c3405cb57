"""The local HTTP server: /api/* through Chalice's local API Gateway, the dashboard as static files.

It holds a burst: connections wait in a deep listen queue instead of being reset, each gets a thread, and at most
API_CONCURRENCY requests are in the app at once (the rest wait their turn, accepted). Every answer carries the
security headers (chalicelib/api/security_headers.py, as CloudFront adds them in AWS); nothing a client sends
gets a trace back.
"""
from __future__ import annotations

import base64
import contextlib
import json
import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.api.security_headers import API_CACHE_CONTROL, security_headers

log = logging.getLogger("local.server")
JSON = {"Content-Type": "application/json"}

API_PREFIX = "/api/"
CONFIG_PATH = "/config.json"
API_CONCURRENCY = 8  # requests in the app at once: below botocore's pool of 10 connections, moto serves one at a time
LISTEN_BACKLOG = 1024  # connections the kernel holds before accept (it caps this at net.core.somaxconn)
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's limit
ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"  # what the server hands on (the API takes fewer)
IDLE_SECONDS = 60  # a keep-alive connection with nothing to say is closed (its thread ends)
INTERNAL_ERROR = b'{"Code": "InternalServerError", "Message": "something went wrong in the local server; see its log"}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "catalog-sync-local"
    timeout = IDLE_SECONDS
    gateway: LocalGateway
    dashboard: Path
    site_config: bytes
    headers_of_every_answer: dict[str, str]
    in_app: threading.BoundedSemaphore

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would bury the sync's logs; errors are logged where they happen

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/"):
            self._api()
        elif self.command not in ("GET", "HEAD"):
            self._send(405, {"Content-Type": "text/plain", "Allow": "GET, HEAD"}, b"method not allowed\n")
        elif path == CONFIG_PATH:
            self._send(200, {**JSON, "Cache-Control": "no-store"}, self.site_config)
        else:
            self._static(path)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    def _body(self) -> bytes | None:
        """The request's body; None (an answer already sent) for a length that is not one or too large."""
        declared = (self.headers.get("content-length") or "0").strip()
        if not (declared.isascii() and declared.isdigit()):
            self.close_connection = True  # where the next request starts is unknown
            self._send(400, JSON, b'{"Code": "BadRequestError", "Message": "Content-Length is not a number"}')
            return None
        length = int(declared) if len(declared) <= 12 else MAX_BODY_BYTES + 1
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the body is not read
            self._send(413, JSON, b'{"Code": "RequestEntityTooLargeError", "Message": "the body is larger than '
                                  b'10 MB, the most API Gateway accepts"}')
            return None
        return self.rfile.read(length) if length else b""

    def _api(self) -> None:
        body = self._body()
        if body is None:
            return
        try:
            with self.in_app:
                response = self.gateway.handle_request(self.command, self.path, dict(self.headers), body or None)
        except LocalGatewayException as error:  # no route (403, as API Gateway answers) or authorizer refusal
            self._send(error.CODE, dict(error.headers), error.body or b"")
            return
        except Exception:
            log.exception("%s %s failed in the local gateway", self.command, self.path[:200])
            self._send(500, JSON, INTERNAL_ERROR)
            return
        headers = {**response.get("headers", {}), **response.get("multiValueHeaders", {})}
        payload = response.get("body") or b""
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        headers.setdefault("Content-Type", "application/json")
        self._send(response["statusCode"], headers, payload)

    def _static(self, path: str) -> None:
        root = self.dashboard
        relative = unquote(path).lstrip("/")
        target = (root / relative).resolve() if "\0" not in relative else root / "\0"
        if target.is_dir():
            target = target / "index.html"
        # resolve() follows "..", symlinks included: whatever lands outside dashboard/ does not exist.
        if not target.is_relative_to(root) or not target.is_file():
            self._send(404, {"Content-Type": "text/plain"}, b"not found\n")
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self._send(200, {"Content-Type": kind, "Cache-Control": "no-cache"}, target.read_bytes())

    def _send(self, status: int, headers: dict[str, Any], body: bytes | str) -> None:
        data = body.encode() if isinstance(body, str) else body
        headers = {name: value for name, value in headers.items() if name.lower() not in self._set_here}
        headers.update(self.headers_of_every_answer)
        if urlsplit(getattr(self, "path", "")).path.startswith(API_PREFIX):
            headers["Cache-Control"] = API_CACHE_CONTROL
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() == "content-length":
                continue
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, str(item))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a URL too long...), with the security headers too.
        A method it has no handler for (TRACE, BREW) is the client's mistake: 405, not its 501."""
        self.close_connection = True
        headers = {"Content-Type": "text/plain", "Connection": "close"}
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message, headers["Allow"] = HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed", ALLOWED_METHODS
        text = f"{code} {message or self.responses.get(code, ('',))[0]}\n"
        self._send(code, headers, text)

    @property
    def _set_here(self) -> set[str]:
        return {name.lower() for name in self.headers_of_every_answer}

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):  # the client went away, or said nothing for IDLE_SECONDS
            self.close_connection = True
        except Exception:  # the last resort: never a trace to the client, never a thread dying loudly
            log.exception("%s %s failed in the local server", self.command, getattr(self, "path", "")[:200])
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send(500, JSON, INTERNAL_ERROR)


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's idle keep-alive connection must not hold up the shutdown
    request_queue_size = LISTEN_BACKLOG  # socketserver's default, 5, reset connections under a burst


def make_server(host: str, port: int, gateway: LocalGateway, dashboard: Path, site_config: dict[str, Any],
                sign_in_origin: str | None = None) -> LocalHttpServer:
    """The server on (``host``, ``port``); ``sign_in_origin``: the Cognito endpoint the dashboard signs in with."""
    handler = type("Handler", (_Handler,), {
        "gateway": gateway, "dashboard": dashboard.resolve(),
        "site_config": json.dumps(site_config).encode(),
        "headers_of_every_answer": security_headers(sign_in_origin),
        "in_app": threading.BoundedSemaphore(API_CONCURRENCY),
    })
    return LocalHttpServer((host, port), handler)
