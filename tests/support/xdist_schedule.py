"""How pytest-xdist hands out the tests: one by one, except a test class, whose tests go to one worker together."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling


class ClassesTogether(LoadScopeScheduling):
    """xdist's default ``load``, except that a test class is one unit: its tests run on one worker, in order.

    A class's tests may share class- or module-scoped fixtures (the demo run in ``tests/sandbox/test_demo.py``
    is one run for all of ``TestTheDemoRun``); apart, each worker would build them again. Every other test
    is a unit of its own, so a slow module spreads over the workers. Units with more tests go first.
    (xdist's ``xdist_group`` mark would say this per test, but ``--dist loadgroup`` does not group on this
    pytest: pytest-dev/pytest-xdist#1386.)
    """

    def _split_scope(self, nodeid: str) -> str:
        module, _, rest = nodeid.partition("::")
        test_class, separator, _ = rest.partition("::")
        return f"{module}::{test_class}" if separator and test_class[:1].isupper() else nodeid


def make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """``ClassesTogether`` for xdist's default distribution (``load``); the other ``--dist`` modes as xdist has them."""
    if config.getvalue("dist") != "load":
        return None
    return ClassesTogether(config, log)
