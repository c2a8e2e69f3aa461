"""Raw requests to the bot for hostile tests: any bytes, any headers, even ones urllib would not send."""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RawAnswer:
    """The bot's status, body, and how long the answer took."""

    status: int
    body: bytes
    seconds: float


def raw_post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10) -> RawAnswer:
    """POST ``body`` with exactly ``headers`` (values sent as Latin-1 bytes, as a raw client may)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.putrequest("POST", parts.path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1") if not value.isascii() else value)
        if not any(name.lower() == "content-length" for name in headers):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        answer = response.read()
        return RawAnswer(response.status, answer, time.monotonic() - started)
    finally:
        connection.close()


def status_before_body(url: str, headers: dict[str, str], *, declared_length: int, timeout: float = 5) -> RawAnswer:
    """Send only the request head declaring ``declared_length`` bytes, then read the answer.

    A server that answers without waiting for the body proves it did not read it.
    """
    parts = urlsplit(url)
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += [f"Content-Length: {declared_length}", "", ""]
    started = time.monotonic()
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout) as sock:
        sock.sendall("\r\n".join(head).encode("latin-1"))
        received = b""
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    status_line = received.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 else 0
    return RawAnswer(status, received, time.monotonic() - started)
