"""IAM ``SimulatePrincipalPolicy`` for the stand-in (moto lacks it): a role's policies in moto, evaluated simply.

The role's inline and attached managed policies are read from moto's backend; a statement
matches when its ``Action`` and ``Resource`` patterns (``*`` and ``?`` wildcards, case-insensitive
actions) cover the request. An explicit Deny wins, then an Allow; otherwise it is an implicit deny.
Conditions, permission boundaries and organization policies are not evaluated: enough to answer
the bot's one question the way IAM does for plain policies.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends

_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def simulate(body: bytes, account_id: str) -> tuple[int, str]:
    """Answer a ``SimulatePrincipalPolicy`` form body with its status and XML."""
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", errors="replace")).items()}
    role_arn = form.get("PolicySourceArn", "")
    action = form.get("ActionNames.member.1", "")
    resource = form.get("ResourceArns.member.1", "*")
    backend = iam_backends[account_id]["global"]
    try:
        role = backend.get_role_by_arn(role_arn)
    except Exception:
        return 404, error("NoSuchEntity", f"Role {role_arn} does not exist.", sender=True)
    documents: list[tuple[str, str]] = list(role.policies.items())
    documents += [(policy.name, policy.versions[-1].document) for policy in role.managed_policies.values()]
    decision, matched = _evaluate(documents, action, resource)
    statements = "".join(f"<member><SourcePolicyId>{escape(source)}</SourcePolicyId></member>" for source in matched)
    xml = (
        f'<SimulatePrincipalPolicyResponse xmlns="{_NS}"><SimulatePrincipalPolicyResult><IsTruncated>false'
        f"</IsTruncated><EvaluationResults><member><EvalActionName>{escape(action)}</EvalActionName>"
        f"<EvalResourceName>{escape(resource)}</EvalResourceName><EvalDecision>{decision}</EvalDecision>"
        f"<MatchedStatements>{statements}</MatchedStatements></member></EvaluationResults>"
        "</SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>sandbox</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>"
    )
    return 200, xml


def error(code: str, message: str, *, sender: bool = True) -> str:
    """An IAM (query protocol) error body."""
    kind = "Sender" if sender else "Receiver"
    return (
        f'<ErrorResponse xmlns="{_NS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>sandbox</RequestId></ErrorResponse>"
    )


def _evaluate(documents: list[tuple[str, str]], action: str, resource: str) -> tuple[str, list[str]]:
    allowed: list[str] = []
    denied: list[str] = []
    for name, text in documents:
        try:
            document: Any = json.loads(text)
        except ValueError:
            continue
        found = document.get("Statement", []) if isinstance(document, dict) else []
        for statement in [found] if isinstance(found, dict) else found:
            if isinstance(statement, dict) and _matches(statement, action, resource):
                (denied if statement.get("Effect") == "Deny" else allowed).append(name)
    if denied:
        return "explicitDeny", denied
    if allowed:
        return "allowed", allowed
    return "implicitDeny", []


def _matches(statement: dict[str, Any], action: str, resource: str) -> bool:
    actions = _listed(statement.get("Action"))
    resources = _listed(statement.get("Resource"))
    return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in actions) and any(
        fnmatchcase(resource, pattern) for pattern in resources
    )


def _listed(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [] if value is None else [str(value)]
