"""The comparison's summary: totals, prompts side by side, what the measures are not; escaped and within limits."""

from __future__ import annotations

import json

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, render
from tests.deployments.comparison.comparison_samples import compared, plan, reply
from workflows.deployments.comparison import compare_summary as summaries
from workflows.deployments.comparison.compare_results import ModelReply, totals
from workflows.deployments.comparison.held_out import Skipped
from workflows.messages import Message

FILE = "compare-tone-20261129-0304.csv"


def shown(message: Message) -> str:
    return json.dumps(render(message), ensure_ascii=False)


def test_the_summary_says_how_many_prompts_from_where_and_that_the_measures_are_no_human_judgement() -> None:
    results = [
        compared(1, "Open Settings, then Reset.", "Open Settings, then Reset.", "It depends on your setup."),
        compared(4, "Within 30 days.", "Refunds within 30 days.", "Check the documentation."),
        compared(7, "Yes.", "No.", "No."),
    ]
    held = plan(tuple(result.prompt for result in results), usable=12)
    message = summaries.summary(held, results, totals(results), FILE)
    text = shown(message)

    assert "on 3 held-out prompts from the job's validation data `s3://bucket/validation.jsonl`" in message.text
    assert "3 of the 12 usable records, spread evenly through the file." in text
    assert "simple measures, not a human judgement" in text
    assert FILE in text
    facts = dict(message.facts)
    assert facts["Custom model"] == "exact match 1/3 · token F1 0.62 · ROUGE-L 0.62"  # (1 + 6/7 + 0) / 3
    assert facts["Base model"] == "exact match 0/3 · token F1 0.00 · ROUGE-L 0.00"
    assert facts["Closer to the reference (ROUGE-L)"] == "custom on 2, base on 0, a tie on 1"
    assert facts["Median latency"] == "custom 200 ms · base 200 ms"
    assert facts["Tokens in / out"] == "custom 30 / 15 · base 30 / 15"
    assert "*Line 4* · q?" in text
    assert "*Reference:* Within 30 days." in text


def test_prompts_without_an_answer_are_named_and_left_out_of_both_averages() -> None:
    results = [
        compared(2, "a b", "a b", ModelReply.failed("throttled by Bedrock after 3 tries")),
        compared(5, "c d", "c d", "x"),
    ]
    message = summaries.summary(plan(tuple(r.prompt for r in results)), results, totals(results), FILE)
    text = shown(message)
    assert "The base model gave no answer for 1 prompt: line 2 (throttled by Bedrock after 3 tries)" in text
    assert "They count in no average." in text
    assert dict(message.facts)["Custom model"] == "exact match 1/1 · token F1 1.00 · ROUGE-L 1.00"
    assert "no answer (throttled by Bedrock after 3 tries)" in text


def test_skipped_records_and_the_training_data_warning_are_said() -> None:
    results = [compared(1, "a", "a", "b")]
    held = plan(
        (results[0].prompt,),
        skipped=(Skipped(2, "not valid JSON"), Skipped(3, "no prompt"), Skipped(4, "no prompt"), Skipped(5, "x")),
        from_validation=False,
        from_training=True,
    )
    text = shown(summaries.summary(held, results, totals(results), FILE))
    assert "from the file you named `s3://bucket/validation.jsonl`" in text
    assert "Skipped (line 2: not valid JSON; line 3: no prompt; line 4: no prompt; and 1 more)" in text
    assert "from the job's training data" in text
    assert "flatters it" in text


def test_what_the_file_and_the_models_say_is_shown_inert() -> None:
    hostile = "<!channel> <https://evil.example|Log in> & <@U0BOSS>"
    results = [compared(1, hostile, hostile, hostile, question=hostile)]
    text = shown(summaries.summary(plan((results[0].prompt,)), results, totals(results), FILE))
    assert "<!channel>" not in text
    assert "<https://evil" not in text
    assert "<@U0BOSS>" not in text
    assert "&lt;!channel&gt;" in text


def test_fifty_prompts_with_long_answers_stay_within_slacks_limits_and_point_at_the_table() -> None:
    long = "word " * 2000
    results = [compared(n, long, reply(long), reply(long), question=long) for n in range(1, 51)]
    message = summaries.summary(plan(tuple(r.prompt for r in results)), results, totals(results), FILE)
    blocks = render(message)
    assert len(blocks) <= MESSAGE_BLOCKS_MAX
    assert all(len(block.get("text", {}).get("text", "")) <= SECTION_TEXT_MAX for block in blocks)
    text = json.dumps(blocks)
    assert text.count("*Line ") == summaries.SHOWN_PROMPTS
    assert f"The other {50 - summaries.SHOWN_PROMPTS} prompts are in `{FILE}`" in text


def test_trim_flattens_and_cuts_with_an_ellipsis() -> None:
    assert summaries.trim("  a\n\nb   c ", 10) == "a b c"
    assert summaries.trim("abcdefghijkl", 5) == "abcd…"


def test_no_validation_data_asks_for_held_out_records_and_refuses_the_training_data() -> None:
    text = shown(summaries.no_validation_data("tone-1a2b", "tone-deploy"))
    assert "`tone-1a2b` was trained without a validation dataset" in text
    assert "I won't use the training data" in text
    assert "/finetune compare tone-deploy prompts=s3://bucket/held-out.jsonl" in text


def test_progress_counts_the_prompts_done() -> None:
    results = [compared(1, "a", "a", "b"), compared(2, "a", "a", "b")]
    message = summaries.progress(plan(tuple(r.prompt for r in results)), 1)
    assert message.text.endswith(
        "on 2 held-out prompts from the job's validation data `s3://bucket/validation.jsonl`: 1 of 2 done."
    )
