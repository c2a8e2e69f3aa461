"""The demo after completion: deploy the custom model, try it side by side, compare it with its base model, delete it.

Every step goes through the Slack actions a person would use (the completion notice's *Deploy*, the
ready notice's *Try it*, *Side by side* and *Compare with base*, ``/finetune undeploy``), and the
deletion is checked in the AWS stand-in through boto3, so the summary line only says what happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import boto3

from bot.sandbox.demo_waits import DemoFailed, Waits, full_text, pause
from bot.sandbox.stack import Product

#: What the person asks the custom model and its base model, side by side (a question from the training data,
#: worded differently, so the custom model's learned answer shows).
QUESTION = "My invoice for November shows two charges. Why?"
#: Words of the training data's answer to that question, which only the custom model gives.
LEARNED = "double charge"
#: Seconds to wait for the deployment to serve (the stand-in's on-demand deployment, on the demo's clock).
READY_SECONDS = 60.0
#: Seconds to wait for the comparison's summary and table (two model calls per held-out prompt).
COMPARE_SECONDS = 60.0
_NAME = re.compile(r"`([a-z0-9][a-z0-9-]*)` is ready")
_COMPARED = re.compile(r"on (\d+) held-out prompts? from the job's validation data")


@dataclass(frozen=True)
class Served:
    """What the serving part showed, for the summary line."""

    deployment: str
    route: str
    tried_side_by_side: bool
    #: Held-out prompts of the validation file the comparison ran.
    compared_prompts: int
    deleted: bool


class Serving:
    """Deploy from the completion notice, try it side by side in a thread, then delete it."""

    def __init__(self, product: Product, *, job_thread: str, notice_ts: str) -> None:
        self._driver = product.driver
        self._wait = Waits(product)
        self._region = product.aws.region
        self._job_thread = job_thread
        self._notice_ts = notice_ts

    def play(self) -> Served:
        name, route = self._deploy()
        self._try_side_by_side()
        compared = self._compare()
        self._delete(name)
        return Served(deployment=name, route=route, tried_side_by_side=True, compared_prompts=compared, deleted=True)

    def _deploy(self) -> tuple[str, str]:
        """*Deploy* on the completion notice, the confirmation with its cost, then the ready notice."""
        pause()
        self._driver.click("Deploy", message_ts=self._notice_ts)
        question = self._wait.ephemeral("What it will cost")
        costs = full_text(question)
        if "per 1K" not in costs and "per hour" not in costs:
            raise DemoFailed("the deploy confirmation states no cost")
        pause()
        self._driver.click("Deploy", message_ts=question.ts)
        ready = self._wait.reply(self._job_thread, "is served", timeout=READY_SECONDS)
        found = _NAME.search(ready.text)
        if found is None:
            raise DemoFailed("the ready notice does not name the deployment")
        route = "on demand" if "on demand" in ready.text else "through Provisioned Throughput"
        return found.group(1), route

    def _try_side_by_side(self) -> None:
        """*Try it* on the ready notice, *Side by side*, one question: both answers, the learned one differs."""
        pause()
        self._driver.click("Try it", thread_ts=self._job_thread)
        opening = self._wait.top_level("write a question in this thread")
        pause()
        self._driver.click("Side by side", message_ts=opening.ts)
        self._wait.ephemeral("Side by side is on")
        pause()
        self._driver.message(QUESTION, thread_ts=opening.ts)
        answer = full_text(self._wait.reply(opening.ts, "Base model"))
        if LEARNED not in answer:
            raise DemoFailed("the custom model's answer does not come from its training data")

    def _compare(self) -> int:
        """*Compare with base* on the ready notice: the summary on the validation file, and its table, in the thread."""
        pause()
        self._driver.click("Compare with base", thread_ts=self._job_thread)
        summary = self._wait.reply(self._job_thread, "not a human judgement", timeout=COMPARE_SECONDS)
        found = _COMPARED.search(full_text(summary))
        if found is None:
            raise DemoFailed("the comparison does not say it ran on the job's validation data")
        if self._wait.attachment(self._job_thread, named="compare-") is None:
            raise DemoFailed("the comparison's table was not attached")
        return int(found.group(1))

    def _delete(self, name: str) -> None:
        """``/finetune undeploy``, *Delete it*, the thread hears it, and the stand-in no longer has it."""
        pause()
        self._driver.slash_command(f"undeploy {name}")
        confirm = self._wait.ephemeral("This cannot be undone")
        pause()
        self._driver.click("Delete it", message_ts=confirm.ts)
        try:
            self._wait.reply(self._job_thread, f"`{name}` was deleted by")
        except DemoFailed as exc:
            raise DemoFailed(f"{exc}; the bot answered the click with “{self._wait.latest_ephemeral()}”") from None
        bedrock = boto3.client("bedrock", region_name=self._region)
        left = [
            *(
                d["customModelDeploymentName"]
                for d in bedrock.list_custom_model_deployments()["modelDeploymentSummaries"]
            ),
            *(
                t["provisionedModelName"]
                for t in bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
            ),
        ]
        if name in left:
            raise DemoFailed(f"{name} is still in Bedrock after it was deleted")
