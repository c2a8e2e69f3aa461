"""AWS emulated on loopback, reached over HTTP like the real thing: moto in server mode behind the stand-in.

The stand-in (``bot.sandbox.bedrock_standin``) answers what moto lacks (custom model deployments,
Provisioned Throughput, Converse, customizationConfig, local Lambda graders) and passes the rest to
moto; moto's own behaviour is unchanged (jobs stay InProgress until a test moves them).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from bot.sandbox.aws import moto_on_loopback
from bot.sandbox.bedrock_standin import BedrockStandIn

#: moto's default account: backends are keyed by it.
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
#: Simulated seconds per real second for deployments: on-demand ready in 0.5 s, throughput in 1.25 s.
SPEED = 1200.0
#: Dummy credentials: moto accepts any, and real ones must never be used by tests.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class MotoServer:
    """Where the emulated AWS answers, and the stand-in's Python API (failures, throttling, graders)."""

    endpoint_url: str
    standin: BedrockStandIn

    def reset(self) -> None:
        """Forget every bucket, object, job and deployment (moto's reset endpoint, which the stand-in honours)."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Run the stand-in in front of moto on a free loopback port for the duration."""
    standin = BedrockStandIn(DomainDispatcherApplication(create_backend_app), speed=SPEED, region=REGION)
    with moto_on_loopback(standin) as endpoint_url:
        yield MotoServer(endpoint_url=endpoint_url, standin=standin)
