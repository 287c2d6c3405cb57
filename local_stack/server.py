"""The local HTTP server: /api/* through Chalice's local API Gateway, the dashboard as static files."""
from __future__ import annotations

import base64
import json
import logging
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.local import LocalGateway, LocalGatewayException

log = logging.getLogger("local.server")

API_PREFIX = "/api/"
CONFIG_PATH = "/config.json"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "catalog-sync-local"
    gateway: LocalGateway
    dashboard: Path
    site_config: bytes

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would bury the sync's logs; errors are logged where they happen

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/"):
            self._api()
        elif self.command not in ("GET", "HEAD"):
            self._send(405, {"Content-Type": "text/plain", "Allow": "GET, HEAD"}, b"method not allowed\n")
        elif path == CONFIG_PATH:
            self._send(200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, self.site_config)
        else:
            self._static(path)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    def _api(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        try:
            response = self.gateway.handle_request(self.command, self.path, dict(self.headers), body)
        except LocalGatewayException as error:  # no route (403, as API Gateway answers) or authorizer refusal
            self._send(error.CODE, dict(error.headers), error.body or b"")
            return
        except Exception:
            log.exception("%s %s failed in the local gateway", self.command, self.path)
            self._send(500, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}')
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


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's idle keep-alive connection must not hold up the shutdown


def make_server(host: str, port: int, gateway: LocalGateway, dashboard: Path,
                site_config: dict[str, Any]) -> LocalHttpServer:
    handler = type("Handler", (_Handler,), {
        "gateway": gateway, "dashboard": dashboard.resolve(),
        "site_config": json.dumps(site_config).encode(),
    })
    return LocalHttpServer((host, port), handler)
