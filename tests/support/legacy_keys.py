"""Redis as the release before hash tags left it: today's keys given back their old names."""

from __future__ import annotations

import redis

from workflows import keys
from workflows.adapters.redis_key_upgrade import renames
from workflows.adapters.redis_values import as_text


def as_before_hash_tags(client: redis.Redis) -> list[str]:
    """Give every key its name from before hash tags, and drop the keys that release did not have, as it left them;
    the old names."""
    old_names = []
    for old, new in renames(keys.DEFAULT):
        found = [as_text(key) or "" for key in client.scan_iter(match=new + "*")]
        for key in found if old.endswith(":") else [new]:
            name = old + key.removeprefix(new)
            dumped = client.dump(key)
            if not isinstance(dumped, bytes):
                continue
            client.restore(name, max(int(str(client.pttl(key))), 0), dumped)
            client.delete(key)
            old_names.append(name)
    # Nor did that release index jobs by workspace.
    for key in [as_text(key) or "" for key in client.scan_iter(match=keys.DEFAULT.jobs_by_team_key("*"))]:
        client.delete(key)
    return old_names
