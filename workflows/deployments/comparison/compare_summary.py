"""What people read about a comparison, built without I/O: progress, the summary, and why one cannot run.

Prompts, references and answers are untrusted: they are trimmed to one line and handed to the
renderer as values (escaped), never as markup.
"""

from __future__ import annotations

from workflows.deployments.comparison.compare_arguments import COMPARE_USAGE
from workflows.deployments.comparison.compare_results import (
    ComparedPrompt,
    ComparisonPlan,
    Side,
    SideTotals,
    Totals,
)
from workflows.messages import Message
from workflows.slack_text import code, mrkdwn

#: Prompts shown one by one in the summary; the rest are in the attached table.
SHOWN_PROMPTS = 8
#: Characters of a prompt, reference or answer shown in the summary.
PROMPT_CHARS = 200
ANSWER_CHARS = 300
#: Failed prompts named before "…and N more".
FAILED_NAMED = 10

DISCLAIMER = (
    "Exact match, token F1 and ROUGE-L measure word overlap with the reference answers: they are simple "
    "measures, not a human judgement. Read the answers before you decide."
)


def trim(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def source_words(plan: ComparisonPlan) -> str:
    """``the validation data `s3://…/val.jsonl` `` or ``the file you named …``."""
    kind = "the job's validation data" if plan.from_validation else "the file you named"
    return f"{kind} {code(plan.source_uri)}"


def starting(plan: ComparisonPlan) -> Message:
    """The answer to the person who asked: where to look."""
    count = len(plan.held_out.prompts)
    return Message(
        text=f"Comparing {code(plan.deployment)} with its base model on {_prompts(count)}; "
        "the summary and the full table will be in the job's thread."
    )


def progress(plan: ComparisonPlan, done: int) -> Message:
    """The thread's progress message, edited as prompts are answered."""
    count = len(plan.held_out.prompts)
    return Message(
        text=f":hourglass_flowing_sand: Comparing {code(plan.deployment)} with its base model "
        f"{code(plan.base_model_id)} on {_prompts(count)} from {source_words(plan)}: {done} of {count} done.",
    )


def summary(plan: ComparisonPlan, results: list[ComparedPrompt], all_totals: Totals, filename: str) -> Message:
    """Totals first, then the first prompts one by one, then what the measures are and are not."""
    count = len(results)
    details = [_made_of(plan), *_failures(results)]
    details += [_one_prompt(result) for result in results[:SHOWN_PROMPTS]]
    if count > SHOWN_PROMPTS:
        details.append(f"The other {count - SHOWN_PROMPTS} prompts are in {code(filename)}.")
    if plan.from_training:
        details.append(
            ":warning: These prompts are from the job's training data: the custom model has learned their "
            "answers, so this comparison flatters it. Held-out records say more."
        )
    return Message(
        text=f":bar_chart: Compared {code(plan.deployment)} (custom) with its base model "
        f"{code(plan.base_model_id)} on {_prompts(count)} from {source_words(plan)}.",
        details=tuple(details),
        facts=_facts(all_totals),
        context=f"{DISCLAIMER} Every prompt, both answers and their measures: {code(filename)}.",
    )


def stopped(plan: ComparisonPlan, done: int) -> Message:
    """An unexpected failure part way: said in the thread, with what to do."""
    return Message(
        text=f":warning: The comparison of {code(plan.deployment)} stopped after {done} of "
        f"{len(plan.held_out.prompts)} prompts because of an error on my side. Run it again with "
        f"{code('/finetune compare ' + plan.deployment)}."
    )


def no_validation_data(label: str, deployment: str) -> Message:
    """The job had no validation dataset: ask for held-out records, and never fall back to the training data."""
    return Message(
        text=f"{code(label)} was trained without a validation dataset, so I have no held-out prompts to compare it on.",
        details=(
            "I won't use the training data: the custom model has learned those answers, so it would look better "
            "than it is.",
            f"Name a JSONL file of held-out records (prompt/completion or conversations ending with the answer "
            f"you expect): {code(f'/finetune compare {deployment} prompts=s3://bucket/held-out.jsonl')}, "
            f"optionally with {code('lines=3,7,10-14')} or {code('n=N')}.",
        ),
        context=f"Usage: {COMPARE_USAGE}",
    )


def already_running(deployment: str) -> Message:
    return Message(
        text=f"A comparison of {code(deployment)} on these prompts is running or has just finished; "
        "its summary is in the job's thread."
    )


def _prompts(count: int) -> str:
    return f"{count} held-out prompt{'' if count == 1 else 's'}"


def _made_of(plan: ComparisonPlan) -> str:
    held_out = plan.held_out
    count = len(held_out.prompts)
    if plan.from_validation and count < held_out.usable:
        made = f"{count} of the {held_out.usable} usable records, spread evenly through the file."
    else:
        made = f"All {count} usable record{'' if count == 1 else 's'} chosen."
    if held_out.over_limit:
        made += f" {held_out.over_limit} more lines you named are over the limit and were left out."
    if held_out.skipped:
        named = "; ".join(f"line {item.line}: {item.reason}" for item in held_out.skipped[:3])
        more = len(held_out.skipped) - 3
        made += f" Skipped ({named}{f'; and {more} more' if more > 0 else ''})."
    return made


def _failures(results: list[ComparedPrompt]) -> list[str]:
    lines = []
    for side in Side:
        failed = [result for result in results if result.reply(side).text is None]
        if not failed:
            continue
        named = ", ".join(f"line {result.prompt.line} ({result.reply(side).error})" for result in failed[:FAILED_NAMED])
        more = f" and {len(failed) - FAILED_NAMED} more" if len(failed) > FAILED_NAMED else ""
        lines.append(
            f":warning: The {side.value} model gave no answer for {len(failed)} prompt"
            f"{'' if len(failed) == 1 else 's'}: {named}{more}. They count in no average."
        )
    return lines


def _one_prompt(result: ComparedPrompt) -> str:
    prompt = result.prompt
    return mrkdwn(
        "*Line {line}* · {question}\n>*Reference:* {reference}\n>*Custom*{custom_score}: {custom}\n"
        ">*Base*{base_score}: {base}",
        line=prompt.line,
        question=trim(prompt.question, PROMPT_CHARS),
        reference=trim(prompt.reference, ANSWER_CHARS),
        custom_score=_score_words(result, Side.CUSTOM),
        custom=_answer_words(result, Side.CUSTOM),
        base_score=_score_words(result, Side.BASE),
        base=_answer_words(result, Side.BASE),
    )


def _score_words(result: ComparedPrompt, side: Side) -> str:
    scores = result.scores(side)
    if scores is None:
        return ""
    return f" (F1 {scores.token_f1:.2f}, ROUGE-L {scores.rouge_l:.2f})"


def _answer_words(result: ComparedPrompt, side: Side) -> str:
    reply = result.reply(side)
    if reply.text is None:
        return f"no answer ({reply.error})"
    return trim(reply.text, ANSWER_CHARS) or "(an empty answer)"


def _facts(all_totals: Totals) -> tuple[tuple[str, str], ...]:
    compared = all_totals.compared
    return (
        ("Custom model", _side_words(all_totals.custom, compared)),
        ("Base model", _side_words(all_totals.base, compared)),
        (
            "Closer to the reference (ROUGE-L)",
            f"custom on {all_totals.custom_closer}, base on {all_totals.base_closer}, a tie on {all_totals.ties}",
        ),
        (
            "Median latency",
            f"custom {_ms(all_totals.custom.median_latency_ms)} · base {_ms(all_totals.base.median_latency_ms)}",
        ),
        ("Tokens in / out", f"custom {_tokens(all_totals.custom)} · base {_tokens(all_totals.base)}"),
    )


def _side_words(side: SideTotals, compared: int) -> str:
    if side.token_f1 is None or side.rouge_l is None:
        return "no prompt answered by both models"
    return f"exact match {side.exact_matches}/{compared} · token F1 {side.token_f1:.2f} · ROUGE-L {side.rouge_l:.2f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def _tokens(side: SideTotals) -> str:
    return f"{side.input_tokens:,} / {side.output_tokens:,}"
