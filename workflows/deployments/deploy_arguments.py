"""The arguments of ``/finetune deploy`` and ``undeploy``, parsed, or refused in words that say how to write them."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.catalogue import Commitment
from workflows.slack_text import code

DEPLOY_USAGE = "`/finetune deploy JOB_OR_MODEL [units=N] [commitment=none|1m|6m]`"
UNDEPLOY_USAGE = "`/finetune undeploy NAME`"
#: A typo guard: each model unit costs tens of dollars an hour, and more units need a quota AWS grants by request.
MAX_MODEL_UNITS = 10
_OPTIONS = ("units", "commitment")


@dataclass(frozen=True, slots=True)
class DeployArguments:
    """What the person asked to deploy; ``units``/``commitment`` None when not given (the route decides)."""

    target: str
    units: int | None = None
    commitment: Commitment | None = None

    @property
    def asks_for_throughput(self) -> bool:
        """Units or a commitment only make sense for Provisioned Throughput."""
        return self.units is not None or self.commitment is not None


@dataclass(frozen=True, slots=True)
class UndeployArguments:
    """The deployment to delete, by name or ARN."""

    name: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the arguments cannot be used, and how to write them; shown to the person who typed them."""

    text: str


def target_and_options(
    text: str, *, known: tuple[str, ...], missing: str, one_at_a_time: str, usage: str, known_hint: str
) -> tuple[str, dict[str, str]] | Refusal:
    """One target word and ``key=value`` options in any order, keys lower-cased; refused when either is wrong.

    ``missing`` is the whole refusal for no target; ``one_at_a_time`` starts the one for several targets;
    ``known_hint`` ends the one for an unknown option.
    """
    words = text.split()
    targets = [word for word in words if "=" not in word]
    if not targets:
        return Refusal(missing)
    if len(targets) > 1:
        listed = ", ".join(code(word) for word in targets)
        return Refusal(f"{one_at_a_time} (I read {listed}): {usage}.")
    options: dict[str, str] = {}
    for word in words:
        if "=" not in word:
            continue
        key, _, value = word.partition("=")
        key = key.lower()
        if key not in known:
            return Refusal(f"I don't know the option {code(key)}; {known_hint}.")
        if key in options:
            return Refusal(f"{code(key + '=')} is given twice; give it once.")
        options[key] = value
    return targets[0], options


def parse_deploy(text: str) -> DeployArguments | Refusal:
    """The words after ``deploy``: one job or model, then ``units=N`` and ``commitment=…`` in any order."""
    parsed = target_and_options(
        text,
        known=_OPTIONS,
        missing=f"Say which job or custom model to deploy: {DEPLOY_USAGE}.",
        one_at_a_time="Deploy one model at a time",
        usage=DEPLOY_USAGE,
        known_hint=f"deploy takes `units=` and `commitment=`: {DEPLOY_USAGE}",
    )
    if isinstance(parsed, Refusal):
        return parsed
    target, options = parsed
    units = _units(options.get("units"))
    if isinstance(units, Refusal):
        return units
    commitment = _commitment(options.get("commitment"))
    if isinstance(commitment, Refusal):
        return commitment
    return DeployArguments(target=target, units=units, commitment=commitment)


def parse_undeploy(text: str) -> UndeployArguments | Refusal:
    """The words after ``undeploy``: exactly one deployment name (or ARN)."""
    words = text.split()
    if not words:
        return Refusal(f"Say which deployment to delete: {UNDEPLOY_USAGE} (`/finetune deployments` lists them).")
    if len(words) > 1:
        return Refusal(f"Delete one deployment at a time: {UNDEPLOY_USAGE}.")
    return UndeployArguments(name=words[0])


def _units(value: str | None) -> int | Refusal | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        return Refusal(f"`units=` takes a whole number of model units, such as `units=1`, not {code(value)}.")
    units = int(value)
    if units < 1:
        return Refusal("`units=` must be at least 1.")
    if units > MAX_MODEL_UNITS:
        return Refusal(
            f"`units={units}` is more than the {MAX_MODEL_UNITS} model units I deploy from chat; each unit is "
            "billed every hour. Buy larger capacity in the Bedrock console after arranging the quota with AWS."
        )
    return units


def _commitment(value: str | None) -> Commitment | Refusal | None:
    if value is None:
        return None
    try:
        return Commitment(value.lower())
    except ValueError:
        return Refusal(
            f"`commitment=` is `none`, `1m` or `6m` (no commitment, one month, six months), not {code(value)}."
        )
