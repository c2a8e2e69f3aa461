"""Which base model ids the AWS stand-in's Converse takes, as Bedrock judges them: profiles yes, customization ids no.

Bedrock refuses a customization id with its context-window suffix (``amazon.nova-micro-v1:0:128k``) for
on-demand inference, and refuses the plain model id of a model it serves on demand only through a
cross-region inference profile (Llama 3.2 and 3.3, Nova 2 Lite, Nova Premier), naming the profile to use.
A system inference profile id (``us.…``, ``eu.…``, ``global.…``) is taken and answered as its model.
This is the stand-in's own table, kept apart from the bot's catalogue so that a wrong catalogue entry fails.
"""

from __future__ import annotations

import re

from bot.sandbox.aws_http import AwsError, validation

_PROFILE_PREFIX = re.compile(r"^(us|us-gov|eu|apac|jp|au|ca|global)\.")
_CONTEXT_SUFFIX = re.compile(r":\d+k$")
#: Models Bedrock serves on demand only through a system inference profile (in the US regions).
PROFILE_ONLY = frozenset(
    {
        "meta.llama3-2-1b-instruct-v1:0",
        "meta.llama3-2-3b-instruct-v1:0",
        "meta.llama3-2-11b-instruct-v1:0",
        "meta.llama3-2-90b-instruct-v1:0",
        "meta.llama3-3-70b-instruct-v1:0",
        "amazon.nova-2-lite-v1:0",
        "amazon.nova-premier-v1:0",
    }
)


def check_base_model(model_id: str) -> str:
    """The base model a Converse ``modelId`` invokes (a profile's model); AwsError where Bedrock refuses the id."""
    if _CONTEXT_SUFFIX.search(model_id):
        raise validation("The provided model identifier is invalid.")
    if _PROFILE_PREFIX.match(model_id):
        return _PROFILE_PREFIX.sub("", model_id, count=1)
    if model_id in PROFILE_ONLY:
        raise AwsError(
            400,
            "ValidationException",
            f"Invocation of model ID {model_id} with on-demand throughput isn’t supported. "
            "Retry your request with the ID or ARN of an inference profile that contains this model.",
        )
    return model_id
