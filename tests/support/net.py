"""Loopback ports and waiting for a server to answer."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

#: Ports handed out for servers that bind later (often in a child process). They lie below Linux's
#: ephemeral range (32768–60999 by default), so no outgoing connection and no bind to port 0 takes one
#: in the meantime; a Redis Cluster node's bus port (port + 10000) stays below it too.
PORTS = range(10000, 32768)
#: One byte of this file per port: a test process that holds the byte's lock has reserved the port, so
#: parallel workers and concurrent test runs on one machine never hand out the same port. The kernel
#: drops a process's locks when it exits, however it exits.
RESERVATIONS = os.path.join(tempfile.gettempdir(), "finetune-bot-test-ports.lock")

_random = random.Random()
_guard = threading.Lock()
_held: set[int] = set()
_file: list[int] = []


def _reservations() -> int | None:
    """This process's descriptor of the reservation file (opened once), or None when it cannot be opened."""
    if not _file:
        try:
            fd = os.open(RESERVATIONS, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o666)  # other accounts on the machine reserve ports in the same file
        _file.append(fd)
    return _file[0]


def reserve(port: int) -> bool:
    """Reserve ``port`` for this process until it exits; False when this or another test process holds it."""
    with _guard:
        if port in _held:
            return False
        fd = _reservations()
        if fd is not None:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, port)
            except OSError:
                return False
        _held.add(port)
        return True


def is_free(port: int) -> bool:
    """True when nothing on this machine is bound to ``port`` on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(accept: Callable[[int], bool] = lambda _: True) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on and no other test process was given (nor will be).

    ``accept`` may refuse a candidate (its ports are reserved anyway, so no one else takes them).
    """
    for _ in range(10_000):
        port = _random.choice(PORTS)
        if reserve(port) and is_free(port) and accept(port):
            return port
    raise RuntimeError(f"no free loopback port in {PORTS.start}–{PORTS.stop - 1}")


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``predicate`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def http_status(url: str, *, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None
