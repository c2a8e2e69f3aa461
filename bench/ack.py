"""Ack latency of ``finetune-bot serve``: signed slash commands and clicks at a steady rate, open loop.

Requests are sent on a fixed schedule (not by a fixed pool of clients waiting for answers), so a
slow bot shows up as queueing delay instead of quietly lowering the rate. Latency is measured from
each request's scheduled send time to the end of its HTTP response. Each request carries its own
``trigger_id``, as Slack's do, so none is a replay of another (replays are dropped before Bolt).

    python -m bench.ack [--rate 50] [--seconds 20] [--ramp 100,200,300,400,600,800]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.transport import SentRequest
from tests.support.bot_process import start_bot
from tests.support.net import free_port
from tests.support.redis_server import redis_for_tests

SIGNING_SECRET = "bench-signing-secret"
#: Slack's patience: an interaction not acknowledged within 3 s has failed.
SLACK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Result:
    """Latencies (seconds) of one steady-rate run."""

    rate: float
    seconds: float
    latencies: tuple[float, ...]
    failures: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] if ordered else float("nan")

    def row(self) -> dict[str, float | int]:
        return {
            "rate_per_s": self.rate,
            "requests": len(self.latencies) + self.failures,
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else float("nan"),
            "over_3s": sum(1 for latency in self.latencies if latency > SLACK_TIMEOUT_SECONDS) + self.failures,
        }


def run_steady(send: Callable[[int], bool], *, rate: float, seconds: float) -> Result:
    """Fire ``rate`` requests per second for ``seconds`` on a fixed schedule; wait for all answers."""
    total = int(rate * seconds)
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def one(index: int, due: float) -> None:
        nonlocal failures
        ok = send(index)
        latency = time.perf_counter() - due
        with lock:
            if ok:
                latencies.append(latency)
            else:
                failures += 1

    with ThreadPoolExecutor(max_workers=256) as pool:
        for index in range(total):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index, due)
    return Result(rate=rate, seconds=seconds, latencies=tuple(latencies), failures=failures)


def requests_mix(driver: SlackDriver, emulator: SlackEmulator) -> list[SentRequest]:
    """A help command, a new conversation, and a click in an existing one, captured to resend."""
    driver.slash_command("help")
    help_request = driver.transport.last_request
    driver.slash_command("")
    new_request = driver.transport.last_request
    root = emulator.wait_for_message("C0GENERAL", contains="is setting up a fine-tuning job", timeout=10)
    emulator.wait_for_message("C0GENERAL", thread_ts=root.ts, contains="What kind of customization", timeout=10)
    driver.click("Help me choose", thread_ts=root.ts)
    click_request = driver.transport.last_request
    if help_request is None or new_request is None or click_request is None:
        raise RuntimeError("the driver sent nothing to resend")
    return [help_request, new_request, click_request, help_request]


def unique(request: SentRequest, index: int) -> bytes:
    """The request's body with a trigger id of its own, so the signed bytes differ from every other send."""
    fields = dict(urllib.parse.parse_qsl(request.body.decode()))
    trigger = fields.get("trigger_id") or json.loads(fields["payload"])["trigger_id"]
    return request.body.replace(trigger.encode(), f"{trigger}{index:x}".encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="steady rate to report p50/p99/max at")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the steady run")
    parser.add_argument("--ramp", default="100,200,300,400,600,800", help="rates to try for the highest sustained")
    parser.add_argument("--ramp-seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()
    with SlackEmulator() as emulator, redis_for_tests(os.environ.get("REDIS_URL")) as redis_url:
        env = {
            "SLACK_BOT_TOKEN": emulator.workspace.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
            "REDIS_URL": redis_url,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        }
        bot = start_bot(env)
        try:
            driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, timeout=30)
            mix = requests_mix(driver, emulator)

            def send(index: int) -> bool:
                request = mix[index % len(mix)]
                try:
                    return driver.transport.send(unique(request, index), request.content_type).status == 200
                except OSError:
                    return False

            steady = run_steady(send, rate=args.rate, seconds=args.seconds)
            ramp = []
            for rate in (float(r) for r in args.ramp.split(",") if r):
                result = run_steady(send, rate=rate, seconds=args.ramp_seconds)
                ramp.append(result)
                if result.percentile(0.99) >= 1.0 or result.failures:
                    break
        finally:
            bot.stop()
    sustained = max((r.rate for r in ramp if r.percentile(0.99) < 1.0 and not r.failures), default=0.0)
    if args.json:
        report = {"steady": steady.row(), "ramp": [r.row() for r in ramp], "highest_rate_p99_under_1s": sustained}
        print(json.dumps(report, indent=2))
    else:
        _print([steady, *ramp], sustained)
    return 0


def _print(results: list[Result], sustained: float) -> None:
    print("Ack latency of finetune-bot serve (HTTP 200), open loop")
    print(f"{'rate/s':>7} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'over 3s':>8}")
    for row in (result.row() for result in results):
        print(
            f"{row['rate_per_s']:>7.0f} {row['requests']:>9} {row['p50_ms']:>8} {row['p99_ms']:>8} "
            f"{row['max_ms']:>8} {row['over_3s']:>8}"
        )
    print(f"Highest rate with p99 under 1 s: {sustained:.0f} requests/s")


if __name__ == "__main__":
    sys.exit(main())
