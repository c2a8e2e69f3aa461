"""Try it: which deployment a name opens, the thread's answers from the custom model (and its base), once each."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.deployments.deployment_samples import CREATED, MODEL_ARN, on_demand, ready, throughput
from tests.fakes.clock import FakeClock
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.governance import gatekeeper
from tests.fakes.jobs import FakeJobs
from tests.fakes.model_chat import FakeModelChat
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import record, snapshot
from tests.fakes.token_charges import MemoryTokenCharges
from tests.fakes.try_threads import FakeTryThreads
from workflows.catalogue import load_catalogue
from workflows.catalogue.costs import format_usd
from workflows.chat.chat_ports import Role
from workflows.deployments.deployment_record import DeploymentStatus, TryExchange
from workflows.deployments.token_charges import UNKNOWN_COST, TokenMeter, TokenSpending, month_key
from workflows.deployments.tryout_commands import (
    MAX_ANSWER_TOKENS,
    NOT_OPENED,
    QUESTION_CLAIM_SECONDS,
    TRY_THREAD_SECONDS,
    TryCommands,
)
from workflows.deployments.tryout_context import MAX_EXCHANGES, TRIMMED_NOTE
from workflows.governance.policy import Policy
from workflows.jobs.job import JobStatus
from workflows.messages import Action, Message
from workflows.ports import TokenCharge

SYSTEM = "You are Acme's support agent."
#: Nova Micro's on-demand prices per 1K input and output tokens in the catalogue.
NOVA_IN, NOVA_OUT = Decimal("0.000035"), Decimal("0.00014")
#: A base model the catalogue has no per-token price for.
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"
READY = on_demand(status=DeploymentStatus.ACTIVE)
QUESTION = "How do I reset my password?"
REPLY = "Open Settings › Security and choose Reset password."


@dataclass(frozen=True)
class Asker:
    team: str = "T1"
    channel: str = "C9"
    user: str = "U0BOB"


BOB = Asker()


@dataclass
class World:
    commands: TryCommands
    chat: FakeModelChat
    threads: FakeTryThreads
    store: MemoryDeploymentStore
    jobs: FakeJobs
    notifier: RecordingNotifier
    charges: MemoryTokenCharges


@pytest.fixture
def region() -> str:
    """The bot's region; tests in another region parametrize it."""
    return "us-east-1"


@pytest.fixture
def world(region: str) -> World:
    chat, threads, store, jobs = FakeModelChat(), FakeTryThreads(), MemoryDeploymentStore(), FakeJobs()
    records, notifier = MemoryRecords(), RecordingNotifier()
    records.save(record("support-tone", team="T1", system_prompt=SYSTEM))
    jobs.put(snapshot("support-tone", JobStatus.COMPLETED, custom_model_arn=MODEL_ARN, custom_model_name="tone-model"))
    store.save(READY)
    chat.teach(READY.arn, [(QUESTION, REPLY), ("Where are my invoices?", "Billing › History.")])
    clock, catalogue, charges = FakeClock(CREATED + timedelta(hours=1)), load_catalogue(), MemoryTokenCharges()
    commands = TryCommands(
        chat=chat,
        threads=threads,
        store=store,
        jobs=jobs,
        records=records,
        notifier=notifier,
        clock=clock,
        catalogue=catalogue,
        region=region,
        meter=TokenMeter(charges=charges, catalogue=catalogue, clock=clock),
    )
    return World(commands, chat, threads, store, jobs, notifier, charges)


def opened(world: World, request: str = "support-tone") -> str:
    """Open a thread; its ts."""
    world.commands.open(BOB, request)
    return world.notifier.posts[-1].ts


def ask(world: World, thread_ts: str, text: str, ts: str = "1800000100.000001") -> Message | None:
    handled = world.commands.answer(team="T1", channel="C9", user="U0BOB", thread_ts=thread_ts, ts=ts, text=text)
    assert handled
    replies = [post for post in world.notifier.posts if post.thread_ts == thread_ts]
    return replies[-1].message if replies else None


@pytest.mark.parametrize(
    "name",
    ["support-tone", READY.name, READY.arn, MODEL_ARN, "tone-model"],
    ids=["job", "deployment", "arn", "model-arn", "model-name"],
)
def test_a_deployment_job_or_custom_model_name_opens_a_thread_in_the_channel(world: World, name: str) -> None:
    answer = world.commands.open(BOB, name)

    assert answer.text == "I opened a thread to try `support-tone` in this channel: write your questions there."
    opening = world.notifier.posts[-1]
    assert (opening.channel, opening.thread_ts) == ("C9", None)
    assert [button.action for button in opening.message.buttons] == [Action.SIDE_BY_SIDE]
    thread = world.threads.get(team="T1", channel="C9", thread_ts=opening.ts)
    assert thread is not None
    assert (thread.model_id, thread.base_model_id, thread.system_prompt) == (
        READY.arn,
        "amazon.nova-micro-v1:0",
        SYSTEM,
    )
    assert world.threads.ttls[("T1", "C9", opening.ts)] == TRY_THREAD_SECONDS


def test_names_that_serve_nothing_are_refused_in_words(world: World) -> None:
    world.store.save(throughput("creating-pt1-00000000", job_name="creating", status=DeploymentStatus.CREATING))
    world.store.save(throughput("gone-pt1-00000000", job_name="gone", status=DeploymentStatus.DELETED))

    assert "I don't know a deployment, job or custom model called `nope`" in world.commands.open(BOB, "nope").text
    assert "`creating` is still being deployed" in world.commands.open(BOB, "creating").text
    assert "`gone` has no deployment serving requests now (Deleted)" in world.commands.open(BOB, "gone").text
    assert "Say which model to try" in world.commands.open(BOB, "").text
    assert "Say which model to try" in world.commands.open(BOB, "a b").text
    other_team = Asker(team="T2")
    assert "I don't know" in world.commands.open(other_team, "support-tone").text
    assert world.notifier.posts == []


def test_each_message_is_asked_of_the_custom_model_with_the_system_prompt(world: World) -> None:
    thread_ts = opened(world)

    reply = ask(world, thread_ts, "I forgot my password, how do I reset it?")

    assert reply is not None
    assert reply.text == "`support-tone` answered:"
    assert reply.details == (REPLY,)
    assert reply.context is not None
    assert "tokens in" in reply.context
    asked = world.chat.asked[-1]
    assert (asked.model_id, asked.system, asked.max_tokens) == (READY.arn, SYSTEM, MAX_ANSWER_TOKENS)


def test_side_by_side_asks_the_base_model_too(world: World) -> None:
    thread_ts = opened(world, "support-tone side-by-side")

    reply = ask(world, thread_ts, QUESTION)

    assert reply is not None
    assert REPLY in reply.details
    assert any("general answer" in detail for detail in reply.details)
    assert [request.model_id for request in world.chat.asked] == [READY.arn, "amazon.nova-micro-v1:0"]


def test_the_switch_turns_side_by_side_on_and_off_and_updates_the_opening(world: World) -> None:
    thread_ts = opened(world)

    on = world.commands.switch(BOB, thread_ts, side_by_side=True)
    ask(world, thread_ts, QUESTION)
    off = world.commands.switch(BOB, thread_ts, side_by_side=False)
    ask(world, thread_ts, QUESTION, ts="1800000100.000002")

    assert "Side by side is on" in on.text
    assert "Side by side is off" in off.text
    assert [request.model_id for request in world.chat.asked] == [READY.arn, "amazon.nova-micro-v1:0", READY.arn]
    edits = [sent for sent in world.notifier.sent if sent.kind == "update"]
    assert [edit.message.buttons[0].action for edit in edits if edit.message] == [
        Action.CUSTOM_ONLY,
        Action.SIDE_BY_SIDE,
    ]


def test_a_redelivered_message_is_answered_once(world: World) -> None:
    thread_ts = opened(world)

    ask(world, thread_ts, QUESTION)
    ask(world, thread_ts, QUESTION)

    assert len(world.chat.asked) == 1
    assert len([post for post in world.notifier.posts if post.thread_ts == thread_ts]) == 1


def test_a_question_asked_while_the_opening_is_still_being_posted_is_answered(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack shows the opening, and someone asks in its thread, before the post's answer reaches the bot."""
    handled: list[bool] = []
    askers: list[threading.Thread] = []
    post_keyed = world.notifier.post_keyed

    def visible_then_asked(**kwargs: object) -> str:
        ts = post_keyed(**kwargs)  # type: ignore[arg-type]
        if not askers:
            asker = threading.Thread(
                target=lambda: handled.append(
                    world.commands.answer(
                        team="T1", channel="C9", user="U0BOB", thread_ts=ts, ts="1800000100.000001", text=QUESTION
                    )
                )
            )
            askers.append(asker)
            asker.start()
            time.sleep(0.3)  # the question's event is handled while the post's answer is on its way
        return ts

    monkeypatch.setattr(world.notifier, "post_keyed", visible_then_asked)
    thread_ts = opened(world)
    askers[0].join(5)

    assert handled == [True]
    replies = [post.message for post in world.notifier.posts if post.thread_ts == thread_ts]
    assert [reply.details for reply in replies] == [(REPLY,)]
    assert not world.threads.opening(team="T1", channel="C9")


def test_an_opening_whose_post_failed_after_reaching_slack_keeps_its_thread(world: World) -> None:
    world.notifier.answers_lost = 1

    answer = world.commands.open(BOB, "support-tone")

    assert answer.text.startswith("I opened a thread to try `support-tone`")
    [opening] = world.notifier.posts
    assert world.threads.get(team="T1", channel="C9", thread_ts=opening.ts) is not None
    assert ask(world, opening.ts, QUESTION) is not None
    assert not world.threads.opening(team="T1", channel="C9")


def test_an_opening_slack_refused_is_said_and_leaves_nothing_in_flight(world: World) -> None:
    world.notifier.fail_next = 1

    answer = world.commands.open(BOB, "support-tone")

    assert answer.text == NOT_OPENED
    assert world.notifier.posts == []
    assert world.threads.threads == {}
    assert not world.threads.opening(team="T1", channel="C9")
    assert not world.commands.answer(team="T1", channel="C9", user="U0BOB", thread_ts="1.1", ts="1.2", text=QUESTION)


def test_a_question_whose_replica_died_answering_it_is_answered_once_when_redelivered(world: World) -> None:
    thread_ts = opened(world)
    ts = "1800000100.000001"
    assert world.threads.claim_question(team="T1", channel="C9", ts=ts, ttl_seconds=QUESTION_CLAIM_SECONDS)

    while_claimed = ask(world, thread_ts, QUESTION, ts=ts)  # the dead replica's claim still stands
    world.threads.claims_expire()
    answered = ask(world, thread_ts, QUESTION, ts=ts)
    ask(world, thread_ts, QUESTION, ts=ts)  # a later redelivery

    assert while_claimed is None
    assert answered is not None
    assert answered.details == (REPLY,)
    assert len(world.chat.asked) == 1
    assert len([post for post in world.notifier.posts if post.thread_ts == thread_ts]) == 1
    assert QUESTION_CLAIM_SECONDS < 60  # it expires before Slack's next retry


def test_a_question_kept_in_the_history_by_a_replica_that_died_is_neither_context_nor_kept_twice(
    world: World,
) -> None:
    thread_ts = opened(world)
    thread = world.threads.get(team="T1", channel="C9", thread_ts=thread_ts)
    assert thread is not None
    ts = "1800000100.000001"
    kept = TryExchange(ts=ts, question=QUESTION, custom=REPLY, base=None)
    world.threads.add_exchange(thread, kept, keep=MAX_EXCHANGES + 1, ttl_seconds=TRY_THREAD_SECONDS)

    ask(world, thread_ts, QUESTION, ts=ts)

    assert [turn.text for turn in world.chat.asked[-1].turns] == [QUESTION]
    assert [exchange.ts for exchange in world.threads.exchanges(team="T1", channel="C9", thread_ts=thread_ts)] == [ts]


def test_a_thread_that_is_not_a_try_thread_is_left_alone(world: World) -> None:
    assert not world.commands.answer(team="T1", channel="C9", user="U0BOB", thread_ts="1.1", ts="1.2", text=QUESTION)
    thread_ts = opened(world)
    world.threads.expire()
    assert not world.commands.answer(
        team="T1", channel="C9", user="U0BOB", thread_ts=thread_ts, ts="1.3", text=QUESTION
    )
    assert world.chat.asked == []


def test_throttling_and_not_ready_are_plain_messages(world: World) -> None:
    thread_ts = opened(world)

    world.chat.throttle()
    throttled = ask(world, thread_ts, QUESTION, ts="1.1")
    world.chat.not_ready.add(READY.arn)
    not_ready = ask(world, thread_ts, QUESTION, ts="1.2")

    assert throttled is not None
    assert "Wait a minute and ask again" in throttled.text
    assert not_ready is not None
    assert "not ready to answer yet" in not_ready.text


def test_side_by_side_shows_the_base_answer_when_the_custom_model_is_busy(world: World) -> None:
    thread_ts = opened(world, "support-tone side-by-side")
    world.chat.throttle()

    reply = ask(world, thread_ts, QUESTION)

    assert reply is not None
    assert any("Wait a minute" in detail for detail in reply.details)
    assert any("general answer" in detail for detail in reply.details)


def test_a_deleted_deployment_stops_the_thread_in_words(world: World) -> None:
    thread_ts = opened(world)
    world.store.compare_and_set_status(
        READY.name, expected=DeploymentStatus.ACTIVE, new=DeploymentStatus.DELETED, at=CREATED + timedelta(hours=2)
    )

    reply = ask(world, thread_ts, QUESTION)

    assert reply is not None
    assert "is Deleted, so this thread no longer asks it" in reply.text
    assert world.chat.asked == []


def test_a_closed_thread_cannot_be_switched(world: World) -> None:
    thread_ts = opened(world)
    world.threads.expire()
    assert "has closed" in world.commands.switch(BOB, thread_ts, side_by_side=True).text


@pytest.mark.parametrize("region", ["us-west-2"])
def test_side_by_side_asks_the_base_model_through_its_inference_profile_where_the_catalogue_says_so(
    world: World,
) -> None:
    thread_ts = opened(world, "support-tone side-by-side")

    reply = ask(world, thread_ts, QUESTION)

    assert reply is not None
    assert [request.model_id for request in world.chat.asked] == [READY.arn, "us.amazon.nova-micro-v1:0"]
    assert "`us.amazon.nova-micro-v1:0`" in "".join(reply.details)


@pytest.mark.parametrize("region", ["eu-west-1"])
def test_a_base_model_the_catalogue_cannot_invoke_in_the_region_refuses_side_by_side_in_words(world: World) -> None:
    answer = world.commands.open(BOB, "support-tone side-by-side")
    thread_ts = world.notifier.posts[-1].ts
    switched = world.commands.switch(BOB, thread_ts, side_by_side=True)
    ask(world, thread_ts, QUESTION)

    assert "Only the custom model answers" in answer.text
    assert "I can't ask the base model `amazon.nova-micro-v1:0:128k` in eu-west-1" in switched.text
    assert "no on-demand model id or inference profile" in switched.text
    assert [request.model_id for request in world.chat.asked] == [READY.arn]
    thread = world.threads.get(team="T1", channel="C9", thread_ts=thread_ts)
    assert thread is not None
    assert (thread.side_by_side, thread.base_invocable) == (False, False)
    assert world.notifier.posts[-2].message.buttons == ()
    assert "so *Side by side* is not offered" in "".join(world.notifier.posts[-2].message.details)


def test_a_follow_up_is_sent_after_the_threads_earlier_question_and_answer(world: World) -> None:
    thread_ts = opened(world)
    ask(world, thread_ts, QUESTION, ts="1800000100.000001")

    ask(world, thread_ts, "And if I no longer have that email address?", ts="1800000100.000002")

    turns = world.chat.asked[-1].turns
    assert [(turn.role, turn.text) for turn in turns] == [
        (Role.USER, QUESTION),
        (Role.ASSISTANT, REPLY),
        (Role.USER, "And if I no longer have that email address?"),
    ]


def test_side_by_side_each_model_hears_its_own_earlier_answers(world: World) -> None:
    thread_ts = opened(world, "support-tone side-by-side")
    ask(world, thread_ts, QUESTION, ts="1800000100.000001")

    ask(world, thread_ts, "Thanks. And my invoices?", ts="1800000100.000002")

    custom, base = world.chat.asked[-2:]
    assert custom.turns[1].text == REPLY
    assert base.model_id == "amazon.nova-micro-v1:0"
    assert "general answer" in base.turns[1].text
    assert len(base.turns) == 3


def test_an_error_is_not_sent_back_as_an_answer(world: World) -> None:
    thread_ts = opened(world)
    world.chat.throttle(1)
    ask(world, thread_ts, QUESTION, ts="1800000100.000001")

    ask(world, thread_ts, "Still there?", ts="1800000100.000002")

    assert [turn.text for turn in world.chat.asked[-1].turns] == ["Still there?"]


def test_older_turns_are_dropped_first_and_the_thread_is_told_once(world: World) -> None:
    thread_ts = opened(world)
    replies = [ask(world, thread_ts, f"Question {n}?", ts=f"1800000100.{n:06d}") for n in range(MAX_EXCHANGES + 3)]

    noted = [n for n, reply in enumerate(replies) if reply is not None and TRIMMED_NOTE in (reply.context or "")]
    assert noted == [MAX_EXCHANGES + 1]
    last = world.chat.asked[-1].turns
    assert len(last) == 2 * MAX_EXCHANGES + 1
    assert last[0].text == "Question 2?"
    assert replies[-1] is not None
    assert "tokens in" in (replies[-1].context or "")


def test_each_answer_is_charged_per_token_to_who_asked_and_where_and_its_cost_shown(world: World) -> None:
    thread_ts = opened(world, "support-tone side-by-side")

    reply = ask(world, thread_ts, QUESTION)

    charges = world.charges.in_month(team="T1", month=month_key(CREATED))
    by_model = {charge.model: charge for charge in charges}
    assert set(by_model) == {READY.name, READY.base_model_id}
    assert all((charge.channel, charge.person, charge.calls) == ("C9", "U0BOB", 1) for charge in charges)
    custom, base = by_model[READY.name], by_model[READY.base_model_id]
    assert (custom.deployment, base.deployment) == (True, False)
    assert (
        custom.amount == (Decimal("0.000035") * custom.input_tokens + Decimal("0.00014") * custom.output_tokens) / 1000
    )
    assert base.amount == (Decimal("0.000035") * base.input_tokens + Decimal("0.00014") * base.output_tokens) / 1000
    assert custom.input_tokens > 0
    assert reply is not None
    assert reply.context is not None
    assert "custom: " in reply.context
    assert format_usd(custom.amount) in reply.context
    assert format_usd(base.amount) in reply.context


def test_a_base_model_without_a_per_token_price_is_charged_as_unknown_and_a_throughput_not_at_all(
    world: World,
) -> None:
    titan = ready(throughput("lite-pt1-0a1b2c3d", job_name="support-tone", base_model_id=TITAN_LITE))
    world.store.save(titan)
    world.chat.teach(titan.arn, [(QUESTION, REPLY)])
    thread_ts = opened(world, f"{titan.name} side-by-side")

    reply = ask(world, thread_ts, QUESTION)

    [charge] = world.charges.in_month(team="T1", month=month_key(CREATED))
    assert (charge.model, charge.deployment, charge.amount) == (TITAN_LITE, False, None)
    assert charge.input_tokens > 0
    assert reply is not None
    assert reply.context is not None
    assert "base: " in reply.context
    assert UNKNOWN_COST in reply.context
    assert reply.context.count("$") == 0  # never $0, and the throughput's answer is in its hourly price


def test_answers_that_take_the_channel_past_a_budget_threshold_tell_the_channel_once(world: World) -> None:
    budgeted = Policy.model_validate({"version": 1, "workspaces": {"*": {"budgets": {"channel_usd": "1.00"}}}})
    clock = FakeClock(CREATED + timedelta(hours=1))
    earlier = TokenCharge("C9", "U0ALICE", READY.name, True, 40, 1, 1, Decimal("0.999999"))
    world.charges.add(team="T1", month=month_key(CREATED), charge=earlier)
    keeper = gatekeeper(budgeted, clock=clock, spending=TokenSpending(world.charges))
    catalogue = load_catalogue()
    commands = TryCommands(
        chat=world.chat,
        threads=world.threads,
        store=world.store,
        jobs=world.jobs,
        records=MemoryRecords(),
        notifier=world.notifier,
        clock=clock,
        catalogue=catalogue,
        region="us-east-1",
        meter=TokenMeter(charges=world.charges, catalogue=catalogue, clock=clock, gatekeeper=keeper),
    )
    commands.open(BOB, f"{READY.name} side-by-side")
    thread_ts = world.notifier.posts[-1].ts

    for n in range(3):
        assert commands.answer(team="T1", channel="C9", user="U0BOB", thread_ts=thread_ts, ts=f"1.{n}", text=QUESTION)

    notices = [
        post.message.text for post in world.notifier.posts if post.thread_ts is None and "budget" in post.message.text
    ]
    assert len(notices) == 1
    assert "This channel has used its whole fine-tuning budget" in notices[0]
