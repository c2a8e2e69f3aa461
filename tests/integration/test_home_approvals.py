"""An approver's Home tab over HTTP: their running job and the request waiting for them, approved from the tab.

``serve`` runs with a policy that asks Bob or the ML team (Carol) to approve jobs above $20; what each person's
tab shows is read from the emulator's ``views.publish`` record, and Carol's click on *Approve* there goes through
the same approvals listener as a click on the request's own message.
"""

from __future__ import annotations

import time

import pytest
import redis

from tests.integration.test_approvals import Approvals, approvals  # noqa: F401  (the fixture)
from tests.integration.test_governance import BOB, CAROL
from tests.integration.test_home_tab import home_text, wait_home
from tests.jobs.monitoring.live import seed_job
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, REGION, REPLY_WAIT, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs

pytestmark = pytest.mark.integration

CAROLS = "carol-5e6f"


def test_an_approver_s_home_tab_shows_their_running_job_and_the_request_and_approving_there_starts_one_job(
    approvals: Approvals,  # noqa: F811
    redis_client: redis.Redis,
    aws: MotoServer,
) -> None:
    emulator = approvals.emulator
    seed_job(emulator, redis_client, BedrockJobs(bedrock_client(REGION)), CAROLS, user=CAROL)

    thread = approvals.request()

    carol = wait_home(
        emulator,
        CAROL,
        lambda text: "Waiting for your approval" in text and f"`{CAROLS}`" in text,
        "with her running job and the request",
        timeout=REPLY_WAIT,
    )
    assert "*Waiting for your approval* (1)" in carol
    assert f"<@{USER}> asks to start a fine-tuning job in <#{CHANNEL}>" in carol
    assert "Estimate $23.75" in carol
    assert "*Running jobs* (1)" in carol
    assert f"`{CAROLS}` on *Titan Text G1 Lite* in <#{CHANNEL}>: *running*" in carol
    bob = wait_home(emulator, BOB, lambda text: "Waiting for your approval" in text, "with the request")
    assert f"`{CAROLS}`" not in bob
    assert approvals.driver.open_home(user=USER).status == 200
    alice = wait_home(emulator, USER, lambda text: "waiting for approval" in text, "with her setup waiting")
    assert "Waiting for your approval" not in alice  # the requester is never an approver of their own

    assert approvals.driver.click("Approve", user=CAROL).status == 200  # the only Approve she sees here: her tab's
    approvals.thread_reply(thread, f"<@{CAROL}> approved this. Starting the job now.")
    approvals.thread_reply(thread, "Started fine-tuning job")
    after = wait_home(emulator, CAROL, lambda text: "Waiting for your approval" not in text, "without the request")
    assert f"`{CAROLS}`" in after
    wait_home(emulator, BOB, lambda text: "Waiting for your approval" not in text, "without the request")
    emulator.wait_for_message("D0CAROL", contains="Approved: the job is starting", timeout=REPLY_WAIT)

    time.sleep(2)  # room for a second job, were anything to start one
    assert len(approvals.bedrock_jobs()) == 2  # Carol's, and the one approved
    assert approvals.actions("approval.approved")[0]["user"] == CAROL
    assert home_text(emulator.home(CAROL)).count("asks to start") == 0
