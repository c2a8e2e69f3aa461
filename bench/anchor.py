"""The anchor for bench-ack: the smallest Bolt app, one slash command listener that acks, as a WSGI app for gunicorn.

gunicorn --workers 2 --threads 16 --worker-class gthread bench.anchor:application
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

#: The bench passes the secret its requests are signed with and its Slack (the emulator, for auth.test).
app = App(
    client=WebClient(token=os.environ["ANCHOR_BOT_TOKEN"], base_url=os.environ["ANCHOR_SLACK_API_URL"]),
    signing_secret=os.environ["ANCHOR_SIGNING_SECRET"],
    token_verification_enabled=False,
)


@app.command("/finetune")
def acknowledge(ack: Ack) -> None:
    ack()


_handler = SlackRequestHandler(app)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI entry point gunicorn serves."""
    result: Iterable[bytes] = _handler(environ, start_response)
    return result
