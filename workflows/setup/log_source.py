"""Distillation from model invocation logs: where the logs are and which logged requests count.

Instead of a file of prompts, a distillation job can read the prompts from the model invocation
logs Bedrock delivers to S3 (``trainingDataConfig.invocationLogsConfig``): ``invocationLogSource.s3Uri``,
optional ``requestMetadataFilters`` (one of ``equals``, ``notEquals``, ``andAll``, ``orAll``; each map
holds one key, each list 1 to 16 filters) and ``usePromptResponse`` (train on the logged responses
instead of asking the teacher). The limits below are the botocore service model's.

Written as words, the same in the thread and in the one-line setup: ``logs=s3://…`` (the ``logs=``
may be left out in the thread), ``filters="project=support team!=qa"`` (``KEY=VALUE`` keeps the
requests whose metadata has that value, ``KEY!=VALUE`` those that do not), ``match=all|any`` (how
several filters combine; all by default) and ``responses=logged|teacher`` (teacher by default).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from workflows.slack_text import code

#: ``S3Uri`` in the Bedrock service model (the location of the logs: a bucket, or a prefix in it).
S3_LOCATION = re.compile(
    r"^s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?$"
)
S3_URI_MAX = 1024
#: ``RequestMetadataMapKeyString`` / ``RequestMetadataMapValueString``: 1–256 and 0–256 of these characters.
METADATA_TEXT = re.compile(r"^[a-zA-Z0-9\s._:/=+$@-]*$")
KEY_MAX = 256
VALUE_MAX = 256
#: ``RequestMetadataFiltersList``: ``andAll`` and ``orAll`` take 1 to 16 filters.
FILTERS_MAX = 16
#: The words of a log source besides its location.
SOURCE_WORDS = ("logs", "filters", "match", "responses")
_MATCH = {"all": "andAll", "any": "orAll"}
_RESPONSES = {"logged": True, "teacher": False}


class FilterTerm(BaseModel):
    """One request-metadata filter: the requests whose ``key`` has (or, negated, has not) ``value``."""

    model_config = ConfigDict(frozen=True)

    key: str
    value: str
    negate: bool = False

    def api(self) -> dict[str, dict[str, str]]:
        """``{"equals": {key: value}}`` or ``{"notEquals": …}``: one ``RequestMetadataBaseFilters``."""
        return {"notEquals" if self.negate else "equals": {self.key: self.value}}

    def words(self) -> str:
        return f"{self.key}{'!=' if self.negate else '='}{self.value}"


class LogSource(BaseModel):
    """Where a distillation job reads its prompts from the invocation logs, and which of them."""

    model_config = ConfigDict(frozen=True)

    s3_uri: str
    terms: tuple[FilterTerm, ...] = ()
    #: How several terms combine: every one (``andAll``) or any (``orAll``).
    match: Literal["all", "any"] = "all"
    #: ``usePromptResponse``: train on the responses in the logs instead of the teacher's.
    use_logged_responses: bool = False

    def api(self) -> dict[str, Any]:
        """``trainingDataConfig.invocationLogsConfig`` as CreateModelCustomizationJob takes it."""
        config: dict[str, Any] = {
            "invocationLogSource": {"s3Uri": self.s3_uri},
            "usePromptResponse": self.use_logged_responses,
        }
        filters = self.filters_api()
        if filters is not None:
            config["requestMetadataFilters"] = filters
        return config

    def filters_api(self) -> dict[str, Any] | None:
        """``requestMetadataFilters``: one term alone, several under ``andAll`` or ``orAll``; None without terms."""
        if not self.terms:
            return None
        if len(self.terms) == 1:
            return self.terms[0].api()
        return {_MATCH[self.match]: [term.api() for term in self.terms]}

    def describe(self) -> str:
        """The source in a line people read at the review."""
        where = f"model invocation logs in {code(self.s3_uri)}"
        if self.terms:
            joined = f" {'and' if self.match == 'all' else 'or'} ".join(code(term.words()) for term in self.terms)
            where += f", requests with {joined}"
        else:
            where += ", every request logged there"
        answers = "the logged responses as the answers" if self.use_logged_responses else "the teacher answers each"
        return f"{where}; {answers}"


def parse_source(options: Mapping[str, str]) -> LogSource | list[str]:
    """The log source from its words (``logs``, ``filters``, ``match``, ``responses``), or every problem with them."""
    problems: list[str] = []
    uri = options.get("logs", "")
    if not uri:
        problems.append("`logs=` is required: the S3 location of the model invocation logs, like `s3://my-logs/`.")
    else:
        problems += location_problems(uri)
    match = options.get("match", "all").lower()
    if match not in _MATCH:
        shown = code("match=" + match[:40])
        problems.append(f"{shown}: use `match=all` (every filter) or `match=any` (one is enough).")
    responses = options.get("responses", "teacher").lower()
    if responses not in _RESPONSES:
        problems.append(
            f"{code('responses=' + responses[:40])}: use `responses=teacher` (the teacher answers every prompt) or "
            "`responses=logged` (the answers in the logs are used; they must be the teacher's)."
        )
    terms = parse_filters(options.get("filters", ""))
    if isinstance(terms, list):
        problems += terms
        terms = ()
    if problems:
        return problems
    return LogSource(
        s3_uri=uri,
        terms=terms,
        match="any" if match == "any" else "all",
        use_logged_responses=_RESPONSES[responses],
    )


def parse_typed(text: str) -> LogSource | list[str]:
    """What a person typed in the thread: the location first (``logs=`` optional), then the other words."""
    try:
        words = shlex.split(text.strip())
    except ValueError:
        return ['A quote is not closed: write filters like `filters="project=support team!=qa"`.']
    if words and words[0].startswith("s3://"):
        words[0] = "logs=" + words[0]
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key.lower() not in SOURCE_WORDS:
            return [
                f"I did not understand {code(word[:80])}. Type the location of the logs, then optional "
                '`filters="KEY=VALUE KEY!=VALUE"`, `match=all|any` and `responses=teacher|logged`.'
            ]
        if key.lower() in options:
            return [f"{code(key.lower() + '=')} is given twice."]
        options[key.lower()] = value
    return parse_source(options)


def location_problems(uri: str) -> list[str]:
    """Why ``uri`` cannot be ``invocationLogSource.s3Uri`` (empty: it can)."""
    if len(uri) > S3_URI_MAX or not S3_LOCATION.match(uri):
        return [
            f"{code(uri[:200])} is not an S3 location Bedrock takes for invocation logs: write the bucket and, "
            "optionally, a prefix, like `s3://my-logs/` or `s3://my-logs/bedrock/` (letters, digits and `-_.!*'()` "
            "in the path)."
        ]
    return []


def parse_filters(text: str) -> tuple[FilterTerm, ...] | list[str]:
    """``KEY=VALUE`` and ``KEY!=VALUE`` words, checked against the service model's limits; or the problems."""
    try:
        words = shlex.split(text)
    except ValueError:
        return ["A quote in `filters=` is not closed."]
    terms: list[FilterTerm] = []
    problems: list[str] = []
    for word in words:
        term = _term(word)
        if isinstance(term, str):
            problems.append(term)
        else:
            terms.append(term)
    if len(words) > FILTERS_MAX:
        problems.append(f"Bedrock takes at most {FILTERS_MAX} request-metadata filters; you gave {len(words)}.")
    return problems or tuple(terms)


def _term(word: str) -> FilterTerm | str:
    """One filter word, or why it cannot be one (a key cannot hold ``=`` here; ``!`` is in no key or value)."""
    equals, negated = word.find("="), word.find("!=")
    if equals < 0:
        return f"{code(word[:80])} is not a filter: write `KEY=VALUE` or `KEY!=VALUE`."
    negate = 0 <= negated < equals
    key, value = (word[:negated], word[negated + 2 :]) if negate else (word[:equals], word[equals + 1 :])
    shown = code(word[:80])
    if not key:
        return f"{shown} has no key before `{'!=' if negate else '='}`."
    if len(key) > KEY_MAX or len(value) > VALUE_MAX:
        return f"{shown}: a metadata key is 1 to {KEY_MAX} characters and a value at most {VALUE_MAX}."
    if not METADATA_TEXT.match(key) or not METADATA_TEXT.match(value):
        return (
            f"{shown}: metadata keys and values may hold only letters, digits, spaces and `._:/=+$@-` "
            "(Bedrock refuses anything else)."
        )
    return FilterTerm(key=key, value=value, negate=negate)
