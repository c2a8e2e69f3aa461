"""The app's installations and OAuth states in Redis: one key per installation, one expiring key per state."""

from __future__ import annotations

import redis

from workflows import keys
from workflows.adapters.redis_values import as_text
from workflows.exceptions import StorageUnavailable


class RedisInstallations:
    """``Installations`` on Redis: plain string keys, one per installation, shared by every replica."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def put(self, name: str, document: str) -> None:
        self._client.set(self._keys.installation_key(name), document)

    def get(self, name: str) -> str | None:
        try:
            return as_text(self._client.get(self._keys.installation_key(name)))
        except redis.RedisError as error:
            raise StorageUnavailable() from error

    def delete(self, name: str) -> None:
        self._client.delete(self._keys.installation_key(name))


class RedisOAuthStates:
    """``OAuthStates`` on Redis: SET with an expiry to issue; DEL, which only one caller sees succeed, to consume."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def issue(self, state: str, *, ttl_seconds: int) -> None:
        self._client.set(self._keys.oauth_state_key(state), "1", ex=ttl_seconds)

    def consume(self, state: str) -> bool:
        # An expired key is gone already, so DEL answers 0 for it, as for a state never issued or already used.
        return int(str(self._client.delete(self._keys.oauth_state_key(state)))) == 1
