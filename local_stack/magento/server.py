"""The HTTP side: a threading stdlib server that hands /rest to the REST dispatcher and /__sim to the admin."""
from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from . import admin, rest

if TYPE_CHECKING:
    from .simulator import MagentoSimulator

NOT_FOUND_PAGE = (b"<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Whoops, our bad...</h1>"
                  b"<p>The page you requested was not found.</p></body></html>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as they do with a real store
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "nginx"
    sys_version = ""
    sim: MagentoSimulator

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log (sim.requests) replaces per-request lines

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _answer(self) -> None:
        body = self._body()
        path = urlsplit(self.path).path
        if path == "/__sim" or path.startswith("/__sim/"):
            if not ipaddress.ip_address(self.client_address[0]).is_loopback:
                self._send(rest.Response(403, b'{"message": "the simulator admin is local only"}'))
                return
            self._send(admin.handle(self.sim, self.command, self.path, body))
            return
        if not (path.startswith("/rest/") or path.startswith("/index.php/rest/")):
            self._send(rest.Response(404, NOT_FOUND_PAGE, rest.HTML))
            return
        headers = dict(self.headers.items())
        self.sim.record(self.command, path, parse_qsl(urlsplit(self.path).query, keep_blank_values=True), headers)
        self._send(rest.dispatch(self.sim, self.command, self.path, headers, body))

    def _send(self, response: rest.Response) -> None:
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def serve(sim: MagentoSimulator, host: str, port: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    handler = type("Handler", (_Handler,), {"sim": sim})
    server = _Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="magento-simulator", daemon=True,
                              kwargs={"poll_interval": 0.01})  # stop() returns quickly
    thread.start()
    return server, thread
