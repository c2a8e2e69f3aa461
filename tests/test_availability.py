"""The store's availability: looked at often, logged only when it changes."""

from __future__ import annotations

import logging

import pytest

from workflows.availability import Availability


def test_an_outage_is_logged_once_as_it_begins_and_once_as_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    answers = iter([True, False, False, False, True, True])
    available = Availability(lambda: next(answers))
    with caplog.at_level(logging.INFO, logger="workflows.availability"):
        seen = [available() for _ in range(6)]
    assert seen == [True, False, False, False, True, True]
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("Redis unavailable")
    assert lines[1].startswith("Redis available again")


def test_a_store_that_answers_from_the_start_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    available = Availability(lambda: True)
    with caplog.at_level(logging.INFO, logger="workflows.availability"):
        assert all(available() for _ in range(3))
    assert caplog.records == []
