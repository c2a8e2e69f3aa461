"""The setup machine's review and start: settings changed, Start's last checks, the launch and its outcome."""

from __future__ import annotations

from workflows.governance.approvals import ApprovalKind, request_id
from workflows.messages import Message
from workflows.setup.effects import CheckGrader, CheckLogging, LaunchJob, RequestApproval
from workflows.setup.events import JobLaunched, JobLaunchRefused, LaunchAbandoned
from workflows.setup.model import Conversation, Stage
from workflows.setup.review import settings_change
from workflows.setup.steps import Context, Step, approval_needed, busy_for, model_of, question_for, review, say
from workflows.slack_text import code


def change_settings(conversation: Conversation, text: str, context: Context) -> Step:
    model = model_of(conversation, context)
    changed, problems = settings_change(conversation, model, text)
    if problems:
        return Step(conversation, (say(Message("I could not change that.", details=tuple(problems))),))
    return Step(changed, (say(review(changed, context)),))


def start(conversation: Conversation, context: Context, *, logging_rechecked: bool = False) -> Step:
    if conversation.grader_test == "failed":
        text = (
            "Your grader failed its last test (see above), and a job with that grader would fail or learn nothing. "
            "Fix it and press *Test my grader* again, then Start."
        )
        return Step(conversation, (say(Message(text)),))
    if conversation.grader_arn is not None and conversation.grader_access == "denied":
        text = f"Checking again that the service role may invoke {code(conversation.grader_arn)}…"
        return Step(conversation, (say(Message(text)), CheckGrader(conversation.grader_arn, start=True)))
    if conversation.logs is not None and not logging_rechecked:
        where = code(conversation.logs.s3_uri)
        text = f"Checking again that model invocation logging in {context.region} still delivers text to {where}…"
        return Step(conversation, (say(Message(text)), CheckLogging(conversation.logs, start=True)))
    if approval_needed(conversation, context) is not None:
        return ask_approval(conversation, context)
    return launch(conversation, context)


def launch(conversation: Conversation, context: Context) -> Step:
    busy = busy_for(context, f"l{conversation.version}", context.launch_seconds)
    updated = conversation.model_copy(update={"stage": Stage.STARTING, "busy": busy})
    return Step(updated, (LaunchJob(),))


def ask_approval(conversation: Conversation, context: Context) -> Step:
    """Wait for approval; the request (named by this review's version) is stored and sent after the save.

    Until the service confirms it was (``ApprovalAsked``), a deadline stands, as for a launch: a crash in
    between asks again, under the same id, when the tick finds the deadline passed.
    """
    request = request_id(ApprovalKind.JOB, conversation.id, f"v{conversation.version}")
    busy = busy_for(context, f"a{conversation.version}", context.launch_seconds)
    updated = conversation.model_copy(update={"stage": Stage.AWAITING_APPROVAL, "approval": request, "busy": busy})
    return Step(updated, (RequestApproval(request),))


def job_launched(conversation: Conversation, event: JobLaunched) -> Step:
    """Bedrock took the job: the conversation is done, and monitoring takes over."""
    if conversation.stage.finished:
        return Step(conversation)
    updated = conversation.model_copy(
        update={"stage": Stage.STARTED, "job_name": event.job_name, "job_arn": event.job_arn, "busy": None}
    )
    return Step(updated)


def job_not_launched(conversation: Conversation, event: LaunchAbandoned | JobLaunchRefused, context: Context) -> Step:
    """No job was created: back to the review, saying why."""
    if conversation.stage is not Stage.STARTING:
        return Step(conversation)
    back = conversation.model_copy(update={"stage": Stage.REVIEWING, "busy": None})
    if isinstance(event, LaunchAbandoned):
        text = (
            "The job was not created: starting it was interrupted before Bedrock took it. "
            "Nothing was started or spent; press Start to try again."
        )
        return Step(back, (say(Message(text)), say(question_for(back, context))))
    return Step(back, (say(Message("The job did not start.", details=(event.reason,))),))
