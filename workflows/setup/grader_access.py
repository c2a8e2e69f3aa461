"""Whether the job's service role may invoke the grader, from what IAM and Lambda say, and what to fix if not.

Bedrock calls the grader as the job's service role (AWS documentation, "Reinforcement fine-tuning
access and security"). In the grader's own account, either the role's identity policies (asked of
IAM's policy simulator) or the function's resource policy (a statement allowing the role, or
Bedrock's service principal) is enough, unless something denies it; across accounts both are
needed. A definite "no" holds Start with the exact statement or command to add; when the bot may not
ask (AccessDenied on the check itself), or a statement has conditions it cannot evaluate, it says so
and does not hold Start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workflows.ports import Lookup
from workflows.slack_text import code

ACTION = "lambda:InvokeFunction"
BEDROCK = "bedrock.amazonaws.com"
#: The most of a resource policy that is parsed (Lambda allows 20 KB).
MAX_POLICY_CHARS = 64 * 1024
_INVOKING = {"lambda:invokefunction", "lambda:*", "*"}


class Access(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


class _Grant(StrEnum):
    """What the function's resource policy says for the role."""

    GRANTS = "grants"
    DENIES = "denies"
    CONDITIONAL = "conditional"
    SILENT = "silent"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer, and the sentence (with the fix, for a "no") to show in the thread."""

    access: Access
    text: str


def decide(role_arn: str | None, grader_arn: str, resource: Lookup, identity: Lookup) -> Verdict:
    """Combine the resource policy and the simulation into allowed, denied (with the fix) or unknown."""
    if role_arn is None:
        return Verdict(Access.UNKNOWN, "FINETUNE_ROLE_ARN is not set, so I cannot check who Bedrock calls it as.")
    role = code(role_arn)
    grant = _resource_grant(role_arn, resource)
    same_account = _account(role_arn) == _account(grader_arn)
    if identity.unknown is None and not identity.found:
        return Verdict(
            Access.DENIED,
            f"The service role {role} does not exist in IAM, so Bedrock could not start the job. "
            "Create it (see `iam/` in the README) or fix FINETUNE_ROLE_ARN.",
        )
    if identity.unknown is None and identity.value == "explicitDeny":
        where = ", ".join(code(source[:100]) for source in identity.sources[:3]) or "one of its policies"
        return Verdict(
            Access.DENIED,
            f"A Deny statement in {where} stops the service role {role} from invoking {code(grader_arn)}. "
            "Remove that statement or narrow it, then press Start again.",
        )
    if grant is _Grant.DENIES:
        return Verdict(
            Access.DENIED,
            f"The function's resource policy denies the service role {role} `lambda:InvokeFunction`. "
            f"Remove that statement (`aws lambda get-policy --function-name {grader_arn}` shows it), then press "
            "Start again.",
        )
    identity_allows = identity.unknown is None and identity.value == "allowed"
    if same_account and (identity_allows or grant is _Grant.GRANTS):
        how = "its IAM policy" if identity_allows else "the function's resource policy"
        return Verdict(Access.ALLOWED, f"The service role {role} may invoke it ({how} allows it).")
    if not same_account and identity_allows and grant is _Grant.GRANTS:
        return Verdict(Access.ALLOWED, f"The service role {role} may invoke it (both accounts allow it).")
    identity_says_no = identity.unknown is None and identity.value == "implicitDeny"
    resource_says_no = grant is _Grant.SILENT
    if (identity_says_no and resource_says_no) or (not same_account and (identity_says_no or resource_says_no)):
        return Verdict(Access.DENIED, _fix(role_arn, grader_arn, same_account=same_account))
    reasons = []
    if identity.unknown is not None:
        reasons.append(identity.unknown)
    if grant is _Grant.UNKNOWN and resource.unknown is not None:
        reasons.append(resource.unknown)
    if grant is _Grant.CONDITIONAL:
        reasons.append("the function's resource policy allows it only under conditions I cannot evaluate")
    because = "; ".join(reasons) or "AWS did not say"
    return Verdict(
        Access.UNKNOWN,
        f"I could not check that the service role {role} may invoke it ({because}). Make sure it has "
        "`lambda:InvokeFunction` on the grader, or the job fails when Bedrock first calls it; Start is not held "
        "for this.",
    )


def _fix(role_arn: str, grader_arn: str, *, same_account: bool) -> str:
    statement = json.dumps({"Effect": "Allow", "Action": ACTION, "Resource": grader_arn})
    role_name = role_arn.rsplit("/", 1)[-1]
    command = (
        f"aws lambda add-permission --function-name {grader_arn} --statement-id finetune-bot-bedrock "
        f"--action lambda:InvokeFunction --principal {role_arn}"
    )
    if same_account:
        how = (
            f"Add this statement to the role `{role_name}`'s policy:\n```{statement}```\n"
            f"or allow the role on the function:\n```{command}```"
        )
    else:
        how = (
            f"The grader is in another account, so both are needed: this statement in the role `{role_name}`'s "
            f"policy:\n```{statement}```\nand, in the grader's account:\n```{command}```"
        )
    return (
        f"The service role {code(role_arn)} may not invoke {code(grader_arn)}: Bedrock calls the grader as that "
        f"role, and the job would fail. {how}\nThen press Start again."
    )


def _resource_grant(role_arn: str, lookup: Lookup) -> _Grant:
    """What the resource policy (untrusted JSON) says about the role invoking the function."""
    if lookup.unknown is not None:
        return _Grant.UNKNOWN
    if not lookup.found:
        return _Grant.SILENT
    if len(lookup.value) > MAX_POLICY_CHARS:
        return _Grant.UNKNOWN
    try:
        document: Any = json.loads(lookup.value)
    except ValueError:
        return _Grant.UNKNOWN
    found = document.get("Statement") if isinstance(document, dict) else None
    statements = [found] if isinstance(found, dict) else found if isinstance(found, list) else []
    verdicts = {_statement(role_arn, statement) for statement in statements if isinstance(statement, dict)}
    for grant in (_Grant.DENIES, _Grant.GRANTS, _Grant.CONDITIONAL):
        if grant in verdicts:
            return grant
    return _Grant.SILENT


def _statement(role_arn: str, statement: dict[str, Any]) -> _Grant:
    actions = {str(action).lower() for action in _listed(statement.get("Action"))}
    if not actions & _INVOKING or not _names_the_role(role_arn, statement.get("Principal")):
        return _Grant.SILENT
    if statement.get("Effect") == "Deny":
        return _Grant.DENIES
    if statement.get("Effect") != "Allow":
        return _Grant.SILENT
    return _Grant.CONDITIONAL if statement.get("Condition") else _Grant.GRANTS


def _names_the_role(role_arn: str, principal: object) -> bool:
    if isinstance(principal, str):  # "*", or a bare ARN as some tools write it
        return principal in {"*", role_arn}
    if not isinstance(principal, dict):
        return False
    return BEDROCK in _listed(principal.get("Service")) or role_arn in _listed(principal.get("AWS"))


def _listed(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""
