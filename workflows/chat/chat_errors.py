"""The chat branch of the product's exception tree, and the plain words each error says.

    BotError
    └── ChatError              the model did not answer; ``str()`` says what to do
        ├── ModelNotReady      the deployment is not serving yet (``ModelNotReadyException``)
        ├── ModelThrottled     more requests than the model's quota, after the retries (``ThrottlingException``)
        └── ModelRefused       a definite no: access, an unknown model, an invalid request, a model error

An outage that outlasts the retries (5xx, a dropped connection) is the kernel's ``ServiceBusy``.
AWS's own message never appears in these: it goes to the log.
"""

from __future__ import annotations

from workflows.aws_advice import IN_THE_LOG
from workflows.exceptions import BotError

NOT_READY_TEXT = (
    "The model is not ready to answer yet: Bedrock is still starting it (this takes a few minutes after a "
    "deployment becomes ready, or after a while unused). Ask again in a few minutes."
)
THROTTLED_TEXT = (
    "The model is getting more requests than its quota allows, and Bedrock turned this one away. "
    "Wait a minute and ask again; a provisioned throughput with more model units takes more requests."
)
_ACCESS_CODES = {"AccessDeniedException", "UnrecognizedClientException"}


class ChatError(BotError):
    """The model did not answer."""


class ModelNotReady(ChatError):
    """The deployment exists but does not serve requests yet."""

    def __init__(self, text: str = NOT_READY_TEXT) -> None:
        super().__init__(text)


class ModelThrottled(ChatError):
    """Bedrock throttled the request after every retry."""

    def __init__(self, text: str = THROTTLED_TEXT) -> None:
        super().__init__(text)


class ModelRefused(ChatError):
    """Bedrock answered with a definite no."""


def refusal_text(error_code: str) -> str:
    """Why Bedrock would not run the model, and what to do next, from the error code alone."""
    if error_code in _ACCESS_CODES:
        return (
            f"Bedrock denied the bot access ({error_code}): its identity needs bedrock:InvokeModel on the "
            f"deployment and model access to the base model in this region. {IN_THE_LOG}"
        )
    if error_code == "ResourceNotFoundException":
        return (
            "Bedrock does not know this model: the deployment may have been deleted "
            f"(`/finetune deployments` lists them). {IN_THE_LOG}"
        )
    if error_code == "ModelTimeoutException":
        return f"The model took too long to answer. Ask a shorter question, or ask again. {IN_THE_LOG}"
    if error_code == "ModelErrorException":
        return f"The model failed while answering (an error inside the model). Ask again. {IN_THE_LOG}"
    if error_code == "ValidationException":
        return (
            "Bedrock refused the question: it may be too long for the model, or the deployment cannot serve "
            f"requests. Try a shorter question; `/finetune deployments` shows the deployment's state. {IN_THE_LOG}"
        )
    return f"Bedrock did not run the model ({error_code or 'an unknown error'}). Ask again later. {IN_THE_LOG}"
