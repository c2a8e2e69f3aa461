"""AWS emulated by moto in server mode on loopback, reached over HTTP like the real thing."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

#: moto's default account: backends are keyed by it.
ACCOUNT_ID = "123456789012"
#: Dummy credentials: moto accepts any, and real ones must never be used by tests.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class MotoServer:
    """Where the emulated AWS answers."""

    endpoint_url: str

    def reset(self) -> None:
        """Forget every bucket, object and job (moto's reset endpoint)."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Run moto's threaded server on a free loopback port for the duration."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield MotoServer(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
