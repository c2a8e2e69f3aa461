"""What the policy decides, as pure functions of the rules in force: a ``Refusal`` to show, or None to go on."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.governance.policy import People, Rules
from workflows.slack_text import Mrkdwn, code, join, mention, mrkdwn


class Act(StrEnum):
    """What a person may be allowed to do, in the words a refusal uses."""

    START = "start fine-tuning jobs"
    DEPLOY = "deploy custom models"


@dataclass(frozen=True, slots=True)
class Refusal:
    """The policy said no: ``rule`` names the rule (for the audit log), ``reason`` is what the person reads.

    A reason kept in a thread's outbox is plain text (escaped when rendered); one with mentions is ``Mrkdwn``
    and only ever answered at once (an ephemeral message).
    """

    rule: str
    reason: str


def type_refusal(rules: Rules, customization: CustomizationType) -> Refusal | None:
    """A type outside ``allow.types`` is refused, naming the allowed ones (plain text: it is kept in the thread)."""
    allowed = rules.allow.types if rules.allow is not None else None
    if allowed is None or customization in allowed:
        return None
    if allowed:
        names = ", ".join(_type_words(kind) for kind in allowed)
        reason = f"The policy here does not allow {_type_words(customization)}; it allows {names}."
    else:
        reason = "The policy here allows no customization type, so no job can start in this channel."
    return Refusal(f"allow.types: {customization.value}", reason)


def model_refusal(rules: Rules, model_id: str, model_name: str) -> Refusal | None:
    """A base model outside ``allow.models`` is refused, naming the allowed ones (plain text, like the type's)."""
    allowed = rules.allow.models if rules.allow is not None else None
    if allowed is None or model_id in allowed:
        return None
    if allowed:
        models = ", ".join(code(model) for model in allowed)
        reason = f"The policy here does not allow {model_name} ({code(model_id)}) as a base model; it allows {models}."
    else:
        reason = "The policy here allows no base model, so no job can start in this channel."
    return Refusal(f"allow.models: {model_id}", reason)


def person_refusal(people: People | None, user: str, act: Act, *, members: Collection[str]) -> Refusal | None:
    """A person who is neither listed nor in a listed group (``members``: theirs, as Slack says) is refused."""
    if people is None or user in people.users or user in members:
        return None
    return Refusal(
        f"{_rule_of(act)}: {user} is not allowed", mrkdwn("{why} {who}", why=_only(act), who=who_can(people))
    )


def groups_unknown(people: People, act: Act) -> Refusal:
    """Slack could not say who is in the groups, so the person cannot be checked: refused, to try again."""
    return Refusal(
        f"{_rule_of(act)}: user groups could not be read",
        mrkdwn(
            "I could not check whether you may {act}: Slack did not tell me who is in {groups}. "
            "Nothing was started; try again in a minute.",
            act=act.value,
            groups=join(", ", (mrkdwn("{group:code}", group=group) for group in people.groups)),
        ),
    )


def who_can(people: People) -> Mrkdwn:
    """``Who can: @a, @b and members of the user group `S…`.``"""
    parts = [mention(user) for user in people.users]
    parts += [mrkdwn("members of the user group {group:code}", group=group) for group in people.groups]
    listed = parts[0] if len(parts) == 1 else mrkdwn("{rest} and {last}", rest=join(", ", parts[:-1]), last=parts[-1])
    return mrkdwn("Who can: {listed}.", listed=listed)


def _only(act: Act) -> Mrkdwn:
    return mrkdwn("The policy here does not allow you to {act}.", act=act.value)


def _rule_of(act: Act) -> str:
    return "start" if act is Act.START else "deploy"


def _type_words(customization: CustomizationType) -> str:
    return TYPE_LABELS.get(customization, customization.value).lower()
