"""What distillation and reinforcement fine-tuning jobs cost: the teacher's inference, training per hour, and use.

Distillation pays the teacher's on-demand prices for reading every prompt and writing every answer
(counted at its longest, ``maxResponseLengthForInference`` tokens), on top of training the student,
for which Bedrock chooses the epochs: the training line is one pass over prompts and answers.
Reinforcement fine-tuning is billed per training hour, which nobody can tell in advance, and the
grader's Lambda invocations are billed by AWS Lambda. An unknown price stays unknown, never $0.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from workflows.catalogue.costs import (
    PRICES_SETTING,
    CostEstimate,
    CostItem,
    CostLine,
    common_notes,
    format_price,
    format_usd,
    per_1k,
    rate_line,
    usage_lines,
)
from workflows.catalogue.schema import ModelSpec, Price, PriceField, TeacherSpec

_THOUSAND = Decimal(1000)
#: Distillation uses at most 15,000 prompts or prompt-response pairs (AWS documentation,
#: distillation-prepare-datasets): the only bound on a job that reads invocation logs.
DISTILLATION_MAX_PROMPTS = 15_000
LOGS_NOTE = (
    "The prompts come from the invocation logs, and how many there are (at most "
    f"{DISTILLATION_MAX_PROMPTS:,} are used) and how long they are is not known before the job reads them, so "
    "no total can be given; the lines say what each is billed by."
)
LOGGED_RESPONSES_NOTE = (
    "The logged responses are the answers (responses=logged), so the teacher is not asked to write any."
)
#: What reinforcement fine-tuning adds that the bot cannot price.
GRADER_NOTE = (
    "The grader Lambda runs on every answer the model writes (trainingSamplePerPrompt answers per prompt, each "
    "epoch); AWS Lambda bills those invocations to your account, outside this estimate."
)
DISTILLATION_NOTE = (
    "The teacher's answers are counted at their longest (maxResponseLengthForInference tokens each); "
    "Bedrock chooses how many epochs the student trains, and the training line is for one."
)


def estimate_distillation_cost(
    student: ModelSpec, teacher: TeacherSpec, *, prompt_tokens: int, prompts: int, max_response_tokens: int
) -> CostEstimate:
    """The teacher reading and answering every prompt, one training epoch of the student, and using it."""
    if min(prompt_tokens, prompts, max_response_tokens) < 0:
        raise ValueError("counts must not be negative")
    answer_tokens = prompts * max_response_tokens
    reading = _teacher_line(
        teacher,
        CostItem.TEACHER_INPUT,
        "Teacher reading the prompts",
        teacher.input_per_1k_tokens,
        prompt_tokens,
        f"{prompt_tokens:,} prompt tokens × {per_1k(teacher.input_per_1k_tokens)}",
    )
    writing = _teacher_line(
        teacher,
        CostItem.TEACHER_OUTPUT,
        "Teacher writing the answers",
        teacher.output_per_1k_tokens,
        answer_tokens,
        f"up to {prompts:,} prompts × {max_response_tokens:,} tokens × {per_1k(teacher.output_per_1k_tokens)}",
    )
    price = student.prices.training_per_1k_tokens
    trained = prompt_tokens + answer_tokens
    amount = None if price.usd is None else price.usd * trained / _THOUSAND
    training = CostLine(
        CostItem.TRAINING,
        "Student training, one epoch",
        amount,
        "",
        f"up to {trained:,} tokens × {per_1k(price)}",
        price,
        PriceField.TRAINING,
        True,
        price.note if amount is not None else _student_hint(student),
    )
    estimate = CostEstimate(
        model_id=student.id,
        model_name=student.name,
        training_tokens=trained,
        validation_tokens=0,
        epochs=1,
        training=training,
        validation=None,
        storage=rate_line(student, CostItem.STORAGE, "Storage", "per month", PriceField.STORAGE),
        usage=usage_lines(student),
        extra=(reading, writing),
    )
    teacher_cost = _sum(reading, writing)
    upfront = estimate.upfront
    if upfront is not None:
        summary = f"up to {format_usd(upfront)} for the teacher's answers and one training epoch"
    elif teacher_cost is not None:
        summary = f"up to {format_usd(teacher_cost)} for the teacher's answers; training price unknown"
    else:
        summary = "teacher and training prices unknown"
    notes = (DISTILLATION_NOTE, *common_notes(student, estimate))
    return replace(estimate, notes=notes, summary=summary)


def estimate_logs_distillation_cost(
    student: ModelSpec, teacher: TeacherSpec, *, max_response_tokens: int, logged_responses: bool
) -> CostEstimate:
    """Distillation from invocation logs: every amount unknown, with the one bound there is (the teacher's answers)."""
    if max_response_tokens < 1:
        raise ValueError("max_response_tokens must be at least 1")
    extra: tuple[CostLine, ...] = ()
    bound: Decimal | None = None
    if not logged_responses:
        reading = _unknown_teacher_line(
            teacher,
            CostItem.TEACHER_INPUT,
            "Teacher reading the prompts",
            teacher.input_per_1k_tokens,
            f"the logged prompts' tokens × {per_1k(teacher.input_per_1k_tokens)}",
        )
        price = teacher.output_per_1k_tokens
        if price.usd is not None:
            bound = price.usd * DISTILLATION_MAX_PROMPTS * max_response_tokens / _THOUSAND
        writing = _unknown_teacher_line(
            teacher,
            CostItem.TEACHER_OUTPUT,
            "Teacher writing the answers",
            price,
            f"up to {DISTILLATION_MAX_PROMPTS:,} prompts × {max_response_tokens:,} tokens × {per_1k(price)}"
            + (f", so at most {format_usd(bound)}" if bound is not None else ""),
        )
        extra = (reading, writing)
    price = student.prices.training_per_1k_tokens
    training = CostLine(
        CostItem.TRAINING,
        "Student training, one epoch",
        None,
        "",
        "",
        price,
        PriceField.TRAINING,
        True,
        f"Not known until the job reads the logs: the logged prompts and their answers × {per_1k(price)}."
        if price.usd is not None
        else _student_hint(student),
    )
    estimate = CostEstimate(
        model_id=student.id,
        model_name=student.name,
        training_tokens=0,
        validation_tokens=0,
        epochs=1,
        training=training,
        validation=None,
        storage=rate_line(student, CostItem.STORAGE, "Storage", "per month", PriceField.STORAGE),
        usage=usage_lines(student),
        extra=extra,
    )
    summary = "cost unknown until the job reads the invocation logs"
    if bound is not None:
        summary += f" (the teacher's answers alone: at most {format_usd(bound)})"
    notes = (LOGS_NOTE, *((LOGGED_RESPONSES_NOTE,) if logged_responses else ()), *common_notes(student, estimate))
    return replace(estimate, notes=notes, summary=summary)


def estimate_rft_cost(model: ModelSpec, *, prompt_tokens: int) -> CostEstimate:
    """Training per hour (the hours cannot be known in advance), storage, and using the model."""
    price = model.prices.rft_training_per_hour
    if price is None:
        raise ValueError(f"{model.name} does not take reinforcement fine-tuning")
    note = (
        "Bedrock bills reinforcement fine-tuning per training hour, and how many hours a job takes is not "
        "known before it runs."
    )
    training = CostLine(
        CostItem.TRAINING,
        "Training",
        price.usd,
        "per training hour" if price.usd is not None else "",
        "",
        price,
        PriceField.RFT_TRAINING_HOUR,
        False,
        note if price.usd is not None else f"{note} {_rft_hint(model)}",
    )
    estimate = CostEstimate(
        model_id=model.id,
        model_name=model.name,
        training_tokens=prompt_tokens,
        validation_tokens=0,
        epochs=1,
        training=training,
        validation=None,
        storage=rate_line(model, CostItem.STORAGE, "Storage", "per month", PriceField.STORAGE),
        usage=usage_lines(model),
    )
    rate = f"{format_price(price.usd)} per training hour" if price.usd is not None else "training price unknown"
    summary = f"{rate}; the hours are not known in advance"
    return replace(estimate, notes=(GRADER_NOTE, *common_notes(model, estimate)), summary=summary)


def _teacher_line(teacher: TeacherSpec, item: CostItem, label: str, price: Price, tokens: int, basis: str) -> CostLine:
    amount = None if price.usd is None else price.usd * tokens / _THOUSAND
    field = PriceField.ON_DEMAND_INPUT if item is CostItem.TEACHER_INPUT else PriceField.ON_DEMAND_OUTPUT
    note = price.note if amount is not None else _teacher_hint(teacher, item)
    return CostLine(item, label, amount, "", basis, price, field, True, note)


def _unknown_teacher_line(teacher: TeacherSpec, item: CostItem, label: str, price: Price, basis: str) -> CostLine:
    """A teacher line whose token count is unknown: no amount, and what it is billed by (or how to set the price)."""
    field = PriceField.ON_DEMAND_INPUT if item is CostItem.TEACHER_INPUT else PriceField.ON_DEMAND_OUTPUT
    note = (
        f"Not known until the job reads the logs: {basis}." if price.usd is not None else _teacher_hint(teacher, item)
    )
    return CostLine(item, label, None, "", basis, price, field, True, note)


def _sum(*lines: CostLine) -> Decimal | None:
    if any(line.amount is None for line in lines):
        return None
    return sum((line.amount for line in lines if line.amount is not None), Decimal(0))


def _teacher_hint(teacher: TeacherSpec, item: CostItem) -> str:
    key = "input_per_1k_tokens" if item is CostItem.TEACHER_INPUT else "output_per_1k_tokens"
    return (
        f"The catalogue has no on-demand price for the teacher {teacher.name}: set `{key}` for `{teacher.id}` "
        f"under `teachers:` in the price override file ({PRICES_SETTING})."
    )


def _student_hint(student: ModelSpec) -> str:
    return (
        f"The catalogue has no training price for {student.name}: set `training_per_1k_tokens` for "
        f"`{student.id}` in the price override file ({PRICES_SETTING})."
    )


def _rft_hint(model: ModelSpec) -> str:
    return (
        f"The catalogue has no price per training hour for {model.name}: set `rft_training_per_hour` for "
        f"`{model.id}` in the price override file ({PRICES_SETTING})."
    )
