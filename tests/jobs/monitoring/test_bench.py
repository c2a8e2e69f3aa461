"""The monitoring benchmark runs end to end on a small fleet and counts the calls each approach makes."""

from __future__ import annotations

import pytest

from bench import monitor


@pytest.mark.integration
def test_the_benchmark_reports_calls_per_tick_for_both_approaches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "restored-after-the-test")
    monkeypatch.setenv("REDIS_URL", redis_url)

    assert monitor.main(["--jobs", "30", "--ticks", "2", "--changes", "3", "--page-size", "10"]) == 0

    table = capsys.readouterr().out
    # 27 then 24 running jobs: 3 pages, plus one page of Stopping jobs, and one Get per ended job
    assert "| listing | 1 | 4 | 3 | 7 | 3 |" in table
    assert "| naive | 1 | 0 | 30 | 30 | 3 |" in table
    assert "| naive | 2 | 0 | 27 | 27 | 3 |" in table
