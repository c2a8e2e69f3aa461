"""The question the bot asks at each stage, as a domain ``Message`` (pure; rendered by the bot)."""

from __future__ import annotations

from workflows.catalogue.prompt_costs import DISTILLATION_MAX_PROMPTS
from workflows.catalogue.schema import Catalogue, ModelSpec, TeacherAccess, TeacherSpec
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.messages import Action, Button, Menu, Message, Option, Style
from workflows.setup.advice import AdviceRule, DataAnswer, GoalAnswer
from workflows.setup.log_source import FILTERS_MAX
from workflows.setup.model import Conversation, Stage

BACK = Button("Back", Action.BACK)
CANCEL = Button("Cancel", Action.CANCEL, style=Style.DANGER)
NAVIGATION_HINT = "Type `back` to change the previous answer or `cancel` to stop."
USE_LOGS = Button("Use invocation logs", Action.USE_LOGS)
CHECK_LOGGING = Button("Check logging again", Action.CHECK_LOGGING)
#: Who calls a grader: Bedrock, as the job's service role.
GRADER_ROLE_HINT = (
    "Bedrock calls it as the job's service role (FINETUNE_ROLE_ARN), which needs `lambda:InvokeFunction` on it."
)


#: Short button labels for each type (people and tests click by these).
def type_buttons(recommended: CustomizationType | None = None) -> tuple[Button, ...]:
    """One button per offered type, the recommended one highlighted."""
    return tuple(
        Button(
            label + (" (recommended)" if kind is recommended else ""),
            Action.CHOOSE_TYPE,
            kind.value,
            Style.PRIMARY if kind is recommended else Style.DEFAULT,
        )
        for kind, label in TYPE_LABELS.items()
    )


def choose_type(catalogue: Catalogue) -> Message:
    details = tuple(
        f"*{TYPE_LABELS[info.type]}* — {info.summary} _Data:_ {info.data}"
        for info in catalogue.offered_customizations()
        if info.type in TYPE_LABELS
    )
    return Message(
        text="What kind of customization do you want?",
        details=details,
        buttons=(*type_buttons(), Button("Help me choose", Action.HELP_ME_CHOOSE), CANCEL),
        context="Not sure? Help me choose asks two questions and recommends one.",
    )


def ask_data() -> Message:
    return Message(
        text="What data do you have?",
        buttons=(
            *(Button(answer.value, Action.ANSWER_DATA, answer.name) for answer in DataAnswer),
            BACK,
            CANCEL,
        ),
    )


def ask_goal() -> Message:
    return Message(
        text="What do you want the model to do differently?",
        buttons=(
            *(Button(answer.value, Action.ANSWER_GOAL, answer.name) for answer in GoalAnswer),
            BACK,
            CANCEL,
        ),
    )


def advice(result: AdviceRule, catalogue: Catalogue) -> Message:
    """The recommendation, with every type still one click away."""
    if result.recommend is None:
        return Message(
            text="Fine-tuning may not be the right tool here.",
            details=(result.why, catalogue.guidance.transfer_learning),
            buttons=(*type_buttons(), BACK, CANCEL),
            context="If you still want to fine-tune, pick a type.",
        )
    info = catalogue.customization(result.recommend)
    return Message(
        text=f"I recommend *{TYPE_LABELS[result.recommend]}*.",
        details=(
            result.why,
            f"_Use it when:_ {info.use_when}",
            f"_Not for:_ {info.not_for}",
            f"_Example record:_ `{info.example}`",
        ),
        buttons=(*type_buttons(result.recommend), BACK, CANCEL),
    )


def model_label(model: ModelSpec) -> str:
    return model.name + (" (legacy)" if model.is_legacy else "")


def choose_model(models: list[ModelSpec], customization: CustomizationType, region: str) -> Message:
    options = tuple(
        Option(model_label(model), model.id, description=f"{model.provider} · {model.id}"[:75]) for model in models
    )
    return Message(
        text=f"Which base model? These support {TYPE_LABELS[customization].lower()} in {region}.",
        menu=Menu("Choose a base model", Action.CHOOSE_MODEL, options),
        buttons=(BACK, CANCEL),
        context="You can also type a model id.",
    )


def no_models(customization: CustomizationType, region: str) -> Message:
    return Message(
        text=f"No base model supports {TYPE_LABELS[customization].lower()} in {region}.",
        details=(
            "Pick another type, or ask whoever runs finetune-bot to set AWS_REGION to a region that has one "
            "(`/finetune models` lists them).",
        ),
        buttons=(BACK, CANCEL),
    )


def choose_teacher(model: ModelSpec, teachers: list[TeacherSpec]) -> Message:
    """The teachers that can teach ``model`` here, one button each."""
    details = tuple(
        f"*{teacher.name}* (`{teacher.id}`)"
        + (
            " — reached through a cross-region inference profile"
            if teacher.access is TeacherAccess.INFERENCE_PROFILE
            else ""
        )
        for teacher in teachers
    )
    return Message(
        text=f"Which teacher should write the answers {model.name} learns from?",
        details=(
            *details,
            "The teacher runs on every prompt, and its inference is billed at its on-demand price on top of "
            "the student's training (the review shows how much).",
        ),
        buttons=(*(Button(teacher.name, Action.CHOOSE_TEACHER, teacher.id) for teacher in teachers), BACK, CANCEL),
    )


def ask_grader(model: ModelSpec, region: str) -> Message:
    return Message(
        text=f"Which Lambda function grades {model.name}'s answers? Type its ARN here.",
        details=(
            f"It must be in {region}, like `arn:aws:lambda:{region}:123456789012:function:my-grader`. Bedrock sends it "
            "a list of items (each with its `id`, the `messages` ending with the model's answer, and your record's "
            "other fields under `metadata`) and needs back, per item, the `id` and a numeric `aggregate_reward_score`.",
            "After the dataset, *Test my grader* sends it a few of your records before anything is spent.",
        ),
        buttons=(BACK, CANCEL),
        context=NAVIGATION_HINT,
    )


def ask_training(model: ModelSpec, customization: CustomizationType, catalogue: Catalogue) -> Message:
    info = catalogue.customization(customization)
    details: tuple[str, ...] = (f"_Each line is one JSON record, like:_ `{info.example}`", f"_Data:_ {info.data}")
    buttons: tuple[Button, ...] = (BACK, CANCEL)
    if customization is CustomizationType.DISTILLATION:
        details += (
            "_Or, instead of a file:_ *Use invocation logs* takes the prompts your applications already sent to "
            "Bedrock, from the model invocation logs in S3.",
        )
        buttons = (USE_LOGS, BACK, CANCEL)
    return Message(
        text=f"Now the training data for *{model.name}*: upload a `.jsonl` file in this thread, "
        "or type its `s3://bucket/key.jsonl` URI.",
        details=details,
        buttons=buttons,
        context="I check every line before anything is spent. " + NAVIGATION_HINT,
    )


def ask_logs(model: ModelSpec, region: str) -> Message:
    """Where the invocation logs are and which requests to distill from, typed in one message."""
    return Message(
        text=f"Where are the model invocation logs {model.name} should learn from? Type their S3 location, "
        "optionally followed by filters.",
        details=(
            "For example: `s3://my-logs/bedrock/` or "
            '`s3://my-logs/bedrock/ filters="project=support team!=qa" match=all`.',
            "_Filters_ keep the requests whose request metadata has a value (`KEY=VALUE`) or not (`KEY!=VALUE`), "
            f"up to {FILTERS_MAX}; `match=all` (the default) needs every one, `match=any` one of them. "
            "Without filters every logged request is used.",
            "_Answers_: the teacher answers every prompt (`responses=teacher`, the default), or the responses "
            "in the logs are used as they are (`responses=logged`; they must come from the teacher model).",
            f"I then check that model invocation logging is on in {region} and delivers text there. A "
            f"distillation job uses at most {DISTILLATION_MAX_PROMPTS:,} prompts.",
        ),
        buttons=(BACK, CANCEL),
        context=NAVIGATION_HINT,
    )


def logging_off(text: str) -> Message:
    """Logging would give the job nothing to read: what to do, and the button to check again."""
    return Message(
        text="The job would find no invocation logs to distill from.",
        details=(text,),
        buttons=(CHECK_LOGGING, BACK, CANCEL),
        context="Or type another location (with its filters). " + NAVIGATION_HINT,
    )


def ask_validation() -> Message:
    return Message(
        text="Do you have a validation file? Upload it here or type its `s3://` URI, or skip.",
        details=("A validation set shows whether the model generalises (validation loss) while it trains.",),
        buttons=(Button("Skip validation", Action.SKIP_VALIDATION), BACK, CANCEL),
    )


def still_checking() -> str:
    return "I'm still checking the dataset; I'll post the result in the thread in a moment."


def hint(conversation: Conversation) -> str:
    """What the bot understands at this stage, for free text it could not use."""
    hints = {
        Stage.CHOOSING_TYPE: "Pick a type with the buttons above.",
        Stage.ASKING_DATA: "Pick the kind of data you have with the buttons above.",
        Stage.ASKING_GOAL: "Pick what you want to change with the buttons above.",
        Stage.CHOOSING_MODEL: "Pick a model from the menu above, or type a model id.",
        Stage.CHOOSING_TEACHER: "Pick a teacher with the buttons above, or type its model id.",
        Stage.AWAITING_GRADER: "Type the grader Lambda's ARN (arn:aws:lambda:…).",
        Stage.AWAITING_TRAINING: "Upload a .jsonl file in this thread, or type an s3:// URI.",
        Stage.AWAITING_LOGS: 'Type the S3 location of the logs, like `s3://my-logs/ filters="project=support"`.',
        Stage.AWAITING_VALIDATION: "Upload a validation .jsonl file, type an s3:// URI, or type `skip`.",
        Stage.REVIEWING: "Type `key=value` to change a setting (e.g. `epochCount=2`), or press Start.",
    }
    return f"Sorry, I didn't understand that. {hints.get(conversation.stage, '')} {NAVIGATION_HINT}".strip()
