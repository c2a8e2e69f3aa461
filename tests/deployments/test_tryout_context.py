"""Which earlier turns of a Try it thread go with a question: newest first within both bounds, each model its own."""

from __future__ import annotations

import pytest

from workflows.chat.chat_ports import Role, Turn
from workflows.deployments.deployment_record import TryExchange
from workflows.deployments.tryout_context import MAX_CONTEXT_CHARS, MAX_EXCHANGES, Side, recent_turns


def exchange(n: int, *, custom: str | None = "custom", base: str | None = None, size: int = 0) -> TryExchange:
    return TryExchange(ts=f"17000000{n:02d}.000100", question=f"q{n}" + "x" * size, custom=custom, base=base)


def test_an_empty_thread_sends_nothing_before_the_question() -> None:
    assert recent_turns([], Side.CUSTOM).turns == ()
    assert recent_turns([], Side.CUSTOM).dropped == 0


def test_earlier_exchanges_become_alternating_turns_oldest_first_whatever_the_order_they_were_stored_in() -> None:
    history = [exchange(2, custom="a2"), exchange(1, custom="a1")]

    context = recent_turns(history, Side.CUSTOM)

    assert context.turns == (
        Turn(Role.USER, "q1"),
        Turn(Role.ASSISTANT, "a1"),
        Turn(Role.USER, "q2"),
        Turn(Role.ASSISTANT, "a2"),
    )
    assert context.dropped == 0


@pytest.mark.parametrize(
    ("count", "kept", "dropped"),
    [
        (MAX_EXCHANGES - 1, MAX_EXCHANGES - 1, 0),
        (MAX_EXCHANGES, MAX_EXCHANGES, 0),
        (MAX_EXCHANGES + 1, MAX_EXCHANGES, 1),
    ],
)
def test_at_most_max_exchanges_are_sent_and_the_oldest_go_first(count: int, kept: int, dropped: int) -> None:
    context = recent_turns([exchange(n) for n in range(count)], Side.CUSTOM)

    assert len(context.turns) == 2 * kept
    assert context.dropped == dropped
    assert context.turns[-2].text == f"q{count - 1}"
    assert context.turns[0].text == f"q{count - kept}"


def test_the_character_budget_drops_the_oldest_exchanges_that_do_not_fit() -> None:
    third = MAX_CONTEXT_CHARS // 3
    history = [exchange(n, custom="a", size=third) for n in range(3)]

    context = recent_turns(history, Side.CUSTOM)

    assert [turn.text[:2] for turn in context.turns if turn.role is Role.USER] == ["q1", "q2"]
    assert context.dropped == 1
    assert sum(len(turn.text) for turn in context.turns) <= MAX_CONTEXT_CHARS


def test_a_single_exchange_over_the_budget_is_left_out_rather_than_cut() -> None:
    context = recent_turns([exchange(1, size=MAX_CONTEXT_CHARS)], Side.CUSTOM)

    assert (context.turns, context.dropped) == ((), 1)


def test_each_model_hears_only_the_exchanges_it_answered() -> None:
    history = [
        exchange(1, custom="c1", base=None),  # side by side was off
        exchange(2, custom=None, base="b2"),  # the custom model was throttled
        exchange(3, custom="c3", base="b3"),
    ]

    custom = recent_turns(history, Side.CUSTOM)
    base = recent_turns(history, Side.BASE)

    assert [turn.text for turn in custom.turns] == ["q1", "c1", "q3", "c3"]
    assert [turn.text for turn in base.turns] == ["q2", "b2", "q3", "b3"]
    assert (custom.dropped, base.dropped) == (0, 0)
