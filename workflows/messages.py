"""What the bot says, described without Slack: text, facts, buttons and menus.

``bot/blocks.py`` renders these as Block Kit; the sandbox renders them as terminal text.
Every choice has a visible label that says what it does, because people (and the tests)
pick by label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    """The action ids on buttons and menus; each becomes one conversation event."""

    CHOOSE_TYPE = "ft_choose_type"
    HELP_ME_CHOOSE = "ft_help_me_choose"
    ANSWER_DATA = "ft_answer_data"
    ANSWER_GOAL = "ft_answer_goal"
    CHOOSE_MODEL = "ft_choose_model"
    CHOOSE_TEACHER = "ft_choose_teacher"
    TEST_GRADER = "ft_test_grader"
    USE_LOGS = "ft_use_logs"
    CHECK_LOGGING = "ft_check_logging"
    SKIP_VALIDATION = "ft_skip_validation"
    START = "ft_start"
    BACK = "ft_back"
    CANCEL = "ft_cancel"
    CONFIRM_STOP = "ft_confirm_stop"
    KEEP_RUNNING = "ft_keep_running"
    DEPLOY = "ft_deploy"
    CONFIRM_DEPLOY = "ft_confirm_deploy"
    CANCEL_DEPLOY = "ft_cancel_deploy"
    CONFIRM_UNDEPLOY = "ft_confirm_undeploy"
    KEEP_DEPLOYMENT = "ft_keep_deployment"
    DELETE_DEPLOYMENT = "ft_delete_deployment"
    TRY_IT = "ft_try_it"
    SIDE_BY_SIDE = "ft_side_by_side"
    CUSTOM_ONLY = "ft_custom_only"
    COMPARE = "ft_compare"
    #: An approver's answers to a request for approval; the value is the request's id, so they act the same
    #: wherever they are clicked (the request's message, or a list of pending requests).
    APPROVE = "ft_approve"
    REJECT = "ft_reject"


class Style(StrEnum):
    """How a button stands out."""

    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    """A button: ``label`` is what people read, ``value`` what the action carries."""

    label: str
    action: Action
    value: str = ""
    style: Style = Style.DEFAULT


@dataclass(frozen=True, slots=True)
class Option:
    """One entry of a menu."""

    label: str
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Menu:
    """A drop-down of options; ``placeholder`` says what to pick."""

    placeholder: str
    action: Action
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One message: a heading line, paragraphs, label/value facts, then the choices."""

    text: str
    details: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    menu: Menu | None = None
    buttons: tuple[Button, ...] = ()
    #: A short grey line under everything (hints such as "type `back` to go back").
    context: str | None = None
    #: Also show in the channel, not only the thread (completion notices).
    broadcast: bool = False

    def fallback_text(self) -> str:
        """Plain text for notifications and clients that cannot show blocks."""
        return self.text


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the bot attaches in a thread (the full validation report, a loss chart)."""

    filename: str
    content: bytes
    title: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A message for a conversation's thread, with any files to attach under it."""

    message: Message
    attachments: tuple[Attachment, ...] = field(default=())
