"""The setup machine's choices: the fine-tuning type, the model and distillation's teacher, each under the policy."""

from __future__ import annotations

from workflows.catalogue.errors import UnknownModel
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.governance.policy_decisions import model_refusal, type_refusal
from workflows.messages import Message
from workflows.setup import questions
from workflows.setup.events import ModelChosen, TeacherChosen, TypeChosen
from workflows.setup.model import Conversation, Stage
from workflows.setup.steps import Context, Step, goto, model_of, refuse, say, type_of
from workflows.slack_text import code


def choose_type(conversation: Conversation, event: TypeChosen, context: Context) -> Step:
    if not context.catalogue.customization(event.customization).offered:
        return Step(conversation, (say(Message(f"{event.customization} is not offered yet; pick another type.")),))
    refusal = type_refusal(context.rules(conversation), event.customization)
    if refusal is not None:
        return refuse(conversation, refusal, event.customization.value, "Pick another type.")
    return goto(conversation, Stage.CHOOSING_MODEL, context, customization=event.customization)


def choose_model(conversation: Conversation, event: ModelChosen, context: Context) -> Step:
    customization = type_of(conversation)
    try:
        model = context.catalogue.model(event.model_id)
    except UnknownModel as exc:
        return Step(conversation, (say(Message(str(exc), context=questions.NAVIGATION_HINT)),))
    problem = None
    if not model.supports(customization):
        problem = f"{model.name} does not support {TYPE_LABELS[customization].lower()}."
    elif not model.in_region(context.region):
        problem = f"{model.name} is not available in {context.region} (it is in {', '.join(model.regions)})."
    if problem:
        return Step(conversation, (say(Message(problem + " Pick one from the menu.")),))
    refusal = model_refusal(context.rules(conversation), model.id, model.name)
    if refusal is not None:
        return refuse(conversation, refusal, model.id, "Pick another model from the menu.")
    if customization is CustomizationType.DISTILLATION:
        if not context.catalogue.teachers_for(model, context.region):
            text = f"No teacher for {model.name} is available in {context.region}. Pick another student."
            return Step(conversation, (say(Message(text)),))
        return goto(conversation, Stage.CHOOSING_TEACHER, context, model_id=model.id)
    if customization is CustomizationType.REINFORCEMENT:
        return goto(conversation, Stage.AWAITING_GRADER, context, model_id=model.id)
    return goto(conversation, Stage.AWAITING_TRAINING, context, model_id=model.id)


def choose_teacher(conversation: Conversation, event: TeacherChosen, context: Context) -> Step:
    model = model_of(conversation, context)
    teachers = context.catalogue.teachers_for(model, context.region)
    if event.teacher_id not in {teacher.id for teacher in teachers}:
        names = ", ".join(code(teacher.id) for teacher in teachers)
        text = f"{code(event.teacher_id[:100])} cannot teach {model.name} in {context.region}; its teachers: {names}."
        return Step(conversation, (say(Message(text)),))
    return goto(conversation, Stage.AWAITING_TRAINING, context, teacher_id=event.teacher_id)
