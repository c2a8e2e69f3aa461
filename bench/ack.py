"""Ack latency of ``finetune-bot serve`` under a realistic mix, beside the smallest Bolt app on gunicorn, open loop.

Requests are sent on a fixed schedule (not by a fixed pool of clients waiting for answers), so a
slow server shows up as queueing delay instead of quietly lowering the rate. Latency runs from each
request's scheduled send time to the end of its HTTP response. Each rate is measured on the product
(the mix in ``bench/ack_mix.py``) and on the anchor (``bench/anchor.py``: one ``/finetune`` listener
that acks, on gunicorn with 2 workers × 16 threads), first on a quiet bot, then again while the bot
validates a 200 MB dataset from S3 (moto) in the background, one after another for the whole run.

    python -m bench.ack [--rates 50,100,300] [--seconds 15] [--dataset-mb 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from bench.ack_mix import Conversation, Mix, Planned, kinds
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.transport import BotTransport
from tests.support.bot_process import start_bot
from tests.support.moto_server import ACCOUNT_ID, CREDENTIALS
from tests.support.net import free_port, wait_until
from tests.support.redis_server import redis_for_tests

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"
#: Slack's patience: an interaction not acknowledged within 3 s has failed.
SLACK_TIMEOUT_SECONDS = 3.0
REGION = "us-east-1"
BUCKET = "finetune-bench"
DATASET_KEY = "datasets/train-200mb.jsonl"
#: The background dataset is checked as a Slack setup checks it: for a type and a model, with its rules.
TYPE_LABEL = "Continued pre-training"
MODEL_LABEL = "Titan Text G1 Express"
#: Bytes per record: about 91,000 records in 200 MB, under Titan's 100,000 and 4,096 tokens each.
RECORD_BYTES = 2200
#: Slack redelivers an event it got no answer to within 3 s; the mix's redeliveries come that much later.
REDELIVERY_SECONDS = 3
#: What the progress message of a dataset check turns into.
VERDICTS = ("` is ready", "to fix before training", "I could not use")
#: Seconds the bot must stay quiet (no new Slack Web API calls) before a measurement starts.
SETTLE_SECONDS = 1.5


@dataclass(frozen=True)
class Result:
    """Latencies (seconds) of one steady-rate run."""

    app: str
    phase: str
    rate: float
    latencies: tuple[float, ...]
    failures: int

    @classmethod
    def of(cls, app: str, phase: str, rate: float, measured: list[float | None]) -> Result:
        answered = tuple(latency for latency in measured if latency is not None)
        return cls(app, phase, rate, answered, len(measured) - len(answered))

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] if ordered else float("nan")

    def row(self) -> dict[str, float | int | str]:
        return {
            "app": self.app,
            "phase": self.phase,
            "rate_per_s": self.rate,
            "requests": len(self.latencies) + self.failures,
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else float("nan"),
            "over_3s_or_failed": sum(1 for latency in self.latencies if latency > SLACK_TIMEOUT_SECONDS)
            + self.failures,
        }


def run_steady(send: Callable[[int], bool], *, total: int, rate: float) -> list[float | None]:
    """Fire ``total`` requests at ``rate`` per second on a fixed schedule; each one's latency, None if it failed."""
    latencies: list[float | None] = [None] * total
    start = time.perf_counter() + 0.2

    def one(index: int, due: float) -> None:
        ok = send(index)
        latencies[index] = time.perf_counter() - due if ok else None

    with ThreadPoolExecutor(max_workers=256) as pool:
        for index in range(total):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index, due)
    return latencies


def sender(transport: BotTransport, planned: list[Planned]) -> Callable[[int], bool]:
    """Send the ``index``-th planned request, signed now; True when it was acknowledged with a 200."""

    def send(index: int) -> bool:
        item = planned[index]
        try:
            answer = transport.send(item.request.body, item.request.content_type, "valid", item.headers)
        except OSError:
            return False
        return answer.status == 200

    return send


@dataclass
class BackgroundValidation:
    """Keeps one 200 MB dataset validating in the bot, one conversation after another, while a block runs."""

    driver: SlackDriver
    emulator: SlackEmulator
    mix: Mix
    uri: str
    durations: list[float] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    unfinished: int = 0

    def prepare(self, count: int) -> list[Conversation]:
        """``count`` setups at the training-data question, for continued pre-training of a Titan model."""
        ready = []
        for conversation in self.mix.open_conversations(count):
            where = {"user": conversation.user, "channel": conversation.channel, "thread_ts": conversation.thread_ts}
            self.driver.click(TYPE_LABEL, **where)
            self._wait(conversation, "Which base model?")
            self.driver.choose(MODEL_LABEL, **where)
            self._wait(conversation, "Now the training data")
            ready.append(conversation)
        return ready

    def calibrate(self, count: int) -> None:
        """Validate the dataset ``count`` times in a row, untimed by the load, to know how long one takes."""
        for conversation in self.prepare(count):
            self._validate(conversation)

    @contextmanager
    def running(self, conversations: list[Conversation]) -> Iterator[None]:
        stop = threading.Event()

        def loop() -> None:
            for conversation in conversations:
                if stop.is_set():
                    return
                self._validate(conversation)
            if not stop.is_set():
                self.unfinished += 1

        thread = threading.Thread(target=loop, name="background-validation", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=900)

    def _validate(self, conversation: Conversation) -> None:
        started = time.perf_counter()
        where = {"user": conversation.user, "channel": conversation.channel, "thread_ts": conversation.thread_ts}
        self.driver.message(self.uri, **where)
        self.verdicts.append(self._verdict(conversation))
        self.durations.append(time.perf_counter() - started)

    def _verdict(self, conversation: Conversation) -> str:
        """The first line of the check's verdict, once the progress message has been replaced by it."""

        def found() -> str | None:
            for message in self.emulator.messages(conversation.channel, conversation.thread_ts):
                if message.from_bot and any(mark in message.text for mark in VERDICTS):
                    return message.text.splitlines()[0]
            return None

        return self.emulator.wait_for(found, 900, f"the verdict on the dataset in {conversation.user}'s thread")

    def _wait(self, conversation: Conversation, text: str, *, timeout: float = 60) -> None:
        def seen() -> bool:
            return any(text in m.text for m in self.emulator.messages(conversation.channel, conversation.thread_ts))

        self.emulator.wait_for(seen, timeout, f"“{text}” in {conversation.user}'s thread")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,300", help="steady rates to measure, requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each steady run")
    parser.add_argument("--dataset-mb", type=int, default=200, help="size of the dataset validated in the background")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",") if rate]
    with ExitStack() as stack:
        emulator = stack.enter_context(SlackEmulator())
        redis_url = stack.enter_context(redis_for_tests(os.environ.get("REDIS_URL")))
        aws_url = stack.enter_context(moto_process())
        anchor_url = stack.enter_context(gunicorn_anchor(emulator.api_url, emulator.workspace.bot_token))
        uri, size = put_dataset(aws_url, args.dataset_mb)
        bot = start_bot(product_environment(emulator, redis_url, aws_url))
        stack.callback(bot.stop)
        driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, timeout=30)
        mix = Mix(driver, emulator)
        background = BackgroundValidation(SlackDriver(bot.events_url, SIGNING_SECRET, emulator), emulator, mix, uri)
        product, anchor = BotTransport(bot.events_url, SIGNING_SECRET, 30), BotTransport(anchor_url, SIGNING_SECRET, 30)
        results: list[Result] = []
        by_kind: list[Result] = []
        mixes: dict[str, int] = {}
        background.calibrate(2)
        # Enough datasets to keep one validating for the whole window, one after another, with a margin
        # for validations that run faster than the warm-up ones (unused ones are simply left waiting).
        per_window = 2 + math.ceil(2 * args.seconds / max(0.5, min(background.durations)))
        for phase in ("quiet", "validating"):
            for rate in rates:
                total = int(rate * args.seconds)
                planned = mix.plan(total, redelivery_after=int(rate * REDELIVERY_SECONDS))
                for kind, count in kinds(planned):
                    mixes[kind] = mixes.get(kind, 0) + count
                commands = mix.slash_commands(total)
                for app, transport, requests in (("finetune-bot", product, planned), ("anchor", anchor, commands)):
                    prepared = background.prepare(per_window) if phase == "validating" else []
                    settle(emulator)
                    with background.running(prepared) if prepared else _nothing():
                        latencies = run_steady(sender(transport, requests), total=total, rate=rate)
                    results.append(Result.of(app, phase, rate, latencies))
                    _progress(results[-1])
                    if app == "finetune-bot":
                        by_kind += [
                            Result.of(
                                f"  {kind}",
                                phase,
                                rate,
                                [s for s, r in zip(latencies, requests, strict=True) if r.kind == kind],
                            )
                            for kind, _ in kinds(requests)
                        ]
    report = {
        "mix": mixes,
        "dataset_bytes": size,
        "background_validation_seconds": [round(d, 1) for d in background.durations],
        "background_verdicts": sorted(set(background.verdicts)),
        "background_gaps": background.unfinished,
        "results": [result.row() for result in results],
        "product_by_kind": [result.row() for result in by_kind],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


def product_environment(emulator: SlackEmulator, redis_url: str, aws_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": emulator.workspace.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "REDIS_URL": redis_url,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_url,
        "FINETUNE_BUCKET": BUCKET,
        "FINETUNE_ROLE_ARN": f"arn:aws:iam::{ACCOUNT_ID}:role/finetune-bench",
        **CREDENTIALS,
    }


@contextmanager
def moto_process() -> Iterator[str]:
    """moto's server in its own process, so serving 200 MB does not take the load generator's CPU."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url + "/moto-api/"), timeout=30, what="moto server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def gunicorn_anchor(slack_api_url: str, bot_token: str) -> Iterator[str]:
    """The anchor on gunicorn, 2 workers × 16 threads (gthread), its Slack at ``slack_api_url``; its events URL."""
    port = free_port()
    env = {
        **os.environ,
        "ANCHOR_SIGNING_SECRET": SIGNING_SECRET,
        "ANCHOR_SLACK_API_URL": slack_api_url,
        "ANCHOR_BOT_TOKEN": bot_token,
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--threads",
            "16",
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.anchor:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/", any_status=True), timeout=30, what="gunicorn")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def put_dataset(aws_url: str, megabytes: int) -> tuple[str, int]:
    """A valid continued pre-training file of about ``megabytes`` MB in moto's S3; its URI and size."""
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=aws_url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=BUCKET)
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as workdir:
        path = Path(workdir) / "train.jsonl"
        size = write_dataset(path, megabytes * 1_000_000)
        s3.upload_file(str(path), BUCKET, DATASET_KEY)
    return f"s3://{BUCKET}/{DATASET_KEY}", size


def write_dataset(path: Path, target: int) -> int:
    """``{"input": …}`` records of about ``RECORD_BYTES`` of English prose, every one distinct."""
    words = ["refund", "order", "shipping", "account", "invoice", "password", "delivery", "warranty", "support"]
    written = 0
    with path.open("w", encoding="utf-8") as out:
        number = 0
        while written < target:
            prose = " ".join(words[(number + i * i) % len(words)] for i in range(RECORD_BYTES // 8))
            line = json.dumps({"input": f"Note {number}: {prose}."})
            out.write(line + "\n")
            written += len(line) + 1
            number += 1
    return written


def settle(emulator: SlackEmulator) -> None:
    """Wait until the bot has made no Slack Web API call for a moment: earlier work is done."""
    deadline = time.monotonic() + 120
    last, quiet_since = len(emulator.calls()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = len(emulator.calls())
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= SETTLE_SECONDS:
            return


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _answers(url: str, *, any_status: bool = False) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return any_status
    except OSError:
        return False


def _progress(result: Result) -> None:
    row = result.row()
    print(
        f"  {row['app']:<13} {row['phase']:<10} {row['rate_per_s']:>5.0f}/s  p50 {row['p50_ms']} ms  "
        f"p99 {row['p99_ms']} ms  max {row['max_ms']} ms  over 3 s or failed {row['over_3s_or_failed']}",
        file=sys.stderr,
        flush=True,
    )


def _print(report: dict[str, object]) -> None:
    print("Ack latency, open loop: finetune-bot serve (the mix) beside the smallest Bolt app on gunicorn (2×16)")
    print(f"Mix sent to finetune-bot: {report['mix']}")
    seconds = report["background_validation_seconds"]
    print(f"Background: a {report['dataset_bytes']:,}-byte dataset from S3, each validation took {seconds} s")
    header = ("app", "phase", "rate/s", "requests", "p50 ms", "p99 ms", "max ms", ">3s/failed")
    print("{:<13} {:<10} {:>7} {:>9} {:>8} {:>8} {:>8} {:>10}".format(*header))
    results, by_kind = report["results"], report["product_by_kind"]
    assert isinstance(results, list)
    assert isinstance(by_kind, list)
    for row in results + [{**row, "app": f"  {row['app'].strip()}"} for row in by_kind]:
        print(
            f"{row['app']:<13} {row['phase']:<10} {row['rate_per_s']:>7.0f} {row['requests']:>9} {row['p50_ms']:>8} "
            f"{row['p99_ms']:>8} {row['max_ms']:>8} {row['over_3s_or_failed']:>10}"
        )


if __name__ == "__main__":
    sys.exit(main())
