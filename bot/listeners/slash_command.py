"""The ``/finetune`` slash command: acknowledge at once, then do the work after the ack."""

from __future__ import annotations

from typing import Any, assert_never

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks import answer_text, fallback_text, render
from bot.listeners.acting import request_team
from bot.listeners.apologies import Later, guarded
from bot.services import Services
from workflows.catalogue.catalogue_view import models_message
from workflows.command_grammar import (
    USAGE,
    Audit,
    Cancel,
    Compare,
    Cost,
    Deploy,
    Deployments,
    Help,
    ListJobs,
    Models,
    New,
    Status,
    Stop,
    Try,
    Undeploy,
    Unknown,
    one_line_problems,
    parse_command,
    unknown_answer,
)
from workflows.setup.service import Where


def register(app: App, services: Services) -> None:
    """Route ``/finetune`` to ``on_finetune``."""

    def on_finetune(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        parsed = parse_command(body.get("text", ""))
        where = Where(request_team(body.get("team_id", "")), body["channel_id"], body["user_id"])
        match parsed:
            case Help():
                ack(text=answer_text(USAGE), response_type="ephemeral")
            case Unknown():
                ack(text=answer_text(unknown_answer(parsed)), response_type="ephemeral")
            case Models():
                message = models_message(services.catalogue, parsed.customization, services.region)
                ack(text=fallback_text(message), blocks=render(message), response_type="ephemeral")
            case New() if not parsed.one_line:
                ack()
                later(lambda: services.conversations.start(where))
            case New():
                ack(text="Checking your one-line setup…", response_type="ephemeral")
                later(lambda: _start_one_line(services, where, parsed, respond))
            case Cancel():
                ack()
                later(lambda: _cancel(services, where, respond))
            case Status() | ListJobs() | Stop() | Cost():
                ack()
                later(lambda: _answer_on_jobs(services, parsed, where, respond))
            case Audit(count=count):
                ack()
                later(lambda: _answer_audit(services, where, count, respond))
            case Deploy() | Deployments() | Undeploy():
                ack()
                later(lambda: _answer_on_deployments(services, parsed, where, respond))
            case Try() | Compare():
                ack()
                later(lambda: _on_served_model(services, parsed, where, respond))
            case _:
                assert_never(parsed)

    app.command("/finetune")(guarded(services, on_finetune))


def _start_one_line(services: Services, where: Where, command: New, respond: Respond) -> None:
    problems = services.conversations.start_one_line(where, command.options)
    if problems:
        respond(text=answer_text(one_line_problems(problems)), response_type="ephemeral", replace_original=True)


def _answer_audit(services: Services, where: Where, count: int | None, respond: Respond) -> None:
    message = services.governance.audit_answer(where, count)
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral")


def _cancel(services: Services, where: Where, respond: Respond) -> None:
    outcome = services.conversations.cancel_in_channel(where)
    respond(text=answer_text(outcome.text()), response_type="ephemeral")


def _answer_on_jobs(
    services: Services, command: Status | ListJobs | Stop | Cost, where: Where, respond: Respond
) -> None:
    message = services.jobs.answer(command, where)
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral")


def _on_served_model(services: Services, command: Try | Compare, where: Where, respond: Respond) -> None:
    """``try`` opens a thread on a deployed model; ``compare`` runs held-out prompts through it and its base."""
    match command:
        case Try(request=request):
            message = services.tryouts.open(where, request)
        case Compare(request=request):
            message = services.comparisons.compare(where, request)
        case _:
            assert_never(command)
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral")


def _answer_on_deployments(
    services: Services, command: Deploy | Deployments | Undeploy, where: Where, respond: Respond
) -> None:
    deployments = services.deployments
    match command:
        case Deploy(request=request):
            message = deployments.ask_to_deploy(where, request)
        case Undeploy(request=request):
            message = deployments.ask_to_undeploy(where, request)
        case Deployments():
            message = deployments.list_team(where)
        case _:
            assert_never(command)
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral")
