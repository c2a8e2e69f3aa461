"""Whether the service role may invoke the grader: IAM's decision and the function's policy, combined."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workflows.ports import Lookup
from workflows.setup.grader_access import MAX_POLICY_CHARS, Access, decide

ROLE = "arn:aws:iam::123456789012:role/bedrock-jobs"
GRADER = "arn:aws:lambda:us-east-1:123456789012:function:grader"
OTHER_ACCOUNT_GRADER = "arn:aws:lambda:us-east-1:210987654321:function:grader"

ALLOWED = Lookup(found=True, value="allowed", sources=("inline",))
IMPLICIT = Lookup(found=True, value="implicitDeny")
EXPLICIT = Lookup(found=True, value="explicitDeny", sources=("guardrails",))
NO_ROLE = Lookup(found=False)
NO_POLICY = Lookup(found=False)
CANNOT_SIMULATE = Lookup(unknown="the bot may not call iam:SimulatePrincipalPolicy on the role")
CANNOT_READ = Lookup(unknown="the bot may not call lambda:GetPolicy on the function")


def policy(**statement: Any) -> Lookup:
    base = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": GRADER}
    return Lookup(found=True, value=json.dumps({"Version": "2012-10-17", "Statement": [base | statement]}))


@pytest.mark.parametrize(
    ("resource", "identity", "expected"),
    [
        (NO_POLICY, ALLOWED, Access.ALLOWED),
        (policy(Principal={"AWS": ROLE}), IMPLICIT, Access.ALLOWED),
        (policy(Principal=ROLE), IMPLICIT, Access.ALLOWED),
        (policy(Principal={"Service": "bedrock.amazonaws.com"}), IMPLICIT, Access.ALLOWED),
        (policy(Principal={"Service": ["s3.amazonaws.com", "bedrock.amazonaws.com"]}), CANNOT_SIMULATE, Access.ALLOWED),
        (NO_POLICY, IMPLICIT, Access.DENIED),
        (policy(Principal={"Service": "s3.amazonaws.com"}), IMPLICIT, Access.DENIED),
        (policy(Principal={"AWS": ROLE}), EXPLICIT, Access.DENIED),
        (policy(Principal={"AWS": ROLE}, Effect="Deny"), ALLOWED, Access.DENIED),
        (NO_POLICY, NO_ROLE, Access.DENIED),
        (NO_POLICY, CANNOT_SIMULATE, Access.UNKNOWN),
        (CANNOT_READ, CANNOT_SIMULATE, Access.UNKNOWN),
        (CANNOT_READ, IMPLICIT, Access.UNKNOWN),
        (policy(Principal={"AWS": ROLE}, Condition={"ArnLike": {"AWS:SourceArn": "x"}}), IMPLICIT, Access.UNKNOWN),
        (Lookup(found=True, value="{not json"), IMPLICIT, Access.UNKNOWN),
        (Lookup(found=True, value="[1, 2]"), IMPLICIT, Access.DENIED),
        (Lookup(found=True, value=" " * (MAX_POLICY_CHARS + 1)), IMPLICIT, Access.UNKNOWN),
    ],
)
def test_the_decision(resource: Lookup, identity: Lookup, expected: Access) -> None:
    assert decide(ROLE, GRADER, resource, identity).access is expected


def test_a_no_says_exactly_what_to_add() -> None:
    text = decide(ROLE, GRADER, NO_POLICY, IMPLICIT).text
    assert json.dumps({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": GRADER}) in text
    assert "`bedrock-jobs`" in text
    assert f"aws lambda add-permission --function-name {GRADER} " in text
    assert f"--principal {ROLE}" in text
    assert "press Start again" in text


def test_a_deny_names_the_policy_it_is_in() -> None:
    assert "A Deny statement in `guardrails`" in decide(ROLE, GRADER, NO_POLICY, EXPLICIT).text


def test_a_missing_role_says_to_create_it() -> None:
    assert "does not exist in IAM" in decide(ROLE, GRADER, NO_POLICY, NO_ROLE).text


def test_unknown_says_why_and_that_start_is_not_held() -> None:
    text = decide(ROLE, GRADER, CANNOT_READ, CANNOT_SIMULATE).text
    assert "iam:SimulatePrincipalPolicy" in text
    assert "lambda:GetPolicy" in text
    assert "Start is not held" in text


def test_without_a_role_setting_nothing_is_claimed() -> None:
    assert decide(None, GRADER, NO_POLICY, IMPLICIT).access is Access.UNKNOWN


def test_a_grader_in_another_account_needs_both_sides() -> None:
    granted = policy(Principal={"AWS": ROLE})
    assert decide(ROLE, OTHER_ACCOUNT_GRADER, granted, ALLOWED).access is Access.ALLOWED
    assert decide(ROLE, OTHER_ACCOUNT_GRADER, NO_POLICY, ALLOWED).access is Access.DENIED
    assert decide(ROLE, OTHER_ACCOUNT_GRADER, granted, IMPLICIT).access is Access.DENIED
    assert "both are needed" in decide(ROLE, OTHER_ACCOUNT_GRADER, NO_POLICY, ALLOWED).text


def test_what_a_resource_policy_names_is_never_repeated() -> None:
    hostile = policy(Principal={"AWS": "<!channel> `x`"})
    assert "<!channel>" not in decide(ROLE, GRADER, hostile, IMPLICIT).text
