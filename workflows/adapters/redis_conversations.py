"""Conversations in Redis: versioned JSON with a TTL, written with optimistic concurrency (WATCH/MULTI)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import redis
from pydantic import ValidationError
from redis.client import Pipeline

from workflows import keys
from workflows.adapters.redis_values import as_text, as_texts, watch
from workflows.exceptions import ConcurrentUpdate
from workflows.setup.model import SCHEMA_VERSION, Conversation
from workflows.setup.outbox import due_at

logger = logging.getLogger(__name__)

_CONFLICT = "Someone else changed this conversation at the same moment; please try that again."


class RedisConversationStore:
    """``ConversationStore`` on Redis; every replica sees the same conversations."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int = keys.CONVERSATION_TTL_SECONDS,
        keyspace: keys.Keyspace = keys.DEFAULT,
    ) -> None:
        self._client = client
        self._ttl_seconds = ttl_seconds
        self._keys = keyspace

    def load(self, conversation_id: str) -> Conversation | None:
        """The stored conversation; an expired, unknown-schema or invalid record reads as None."""
        return _decode(conversation_id, as_text(self._client.get(self._keys.conversation_key(conversation_id))))

    def save(self, conversation: Conversation) -> Conversation:
        """Write only if nobody saved since ``conversation`` was read, so no answer is silently lost."""
        key = self._keys.conversation_key(conversation.id)
        stored = conversation.model_copy(update={"version": conversation.version + 1})
        with self._client.pipeline(transaction=True) as pipe:
            try:
                watch(pipe, key)
                if _stored_version(conversation.id, pipe.get(key)) != conversation.version:
                    raise ConcurrentUpdate(_CONFLICT)
                pipe.multi()
                pipe.set(key, _encode(stored), ex=self._ttl_seconds)
                self._update_index(pipe, stored)
                pipe.execute()
            except redis.WatchError as exc:
                raise ConcurrentUpdate(_CONFLICT) from exc
        return stored

    def active_in_channel(self, *, team: str, channel: str) -> list[str]:
        """Unfinished conversations in a channel, most recently saved first."""
        return self._present(self._keys.active_conversations_key(team, channel))

    def active_for_user(self, *, team: str, user: str) -> list[str]:
        """A person's unfinished conversations in a workspace, most recently saved first."""
        return self._present(self._keys.active_by_user_key(team, user))

    def _present(self, index: str) -> list[str]:
        """The ids of an index, newest first, without those whose record expired (removed from it on the way)."""
        ids = as_texts(self._client.zrevrange(index, 0, -1))
        if not ids:
            return []
        with self._client.pipeline(transaction=False) as pipe:
            for conversation_id in ids:
                pipe.exists(self._keys.conversation_key(conversation_id))
            present = pipe.execute()
        expired = [cid for cid, exists in zip(ids, present, strict=True) if not exists]
        if expired:
            self._client.zrem(index, *expired)
        return [cid for cid in ids if cid not in expired]

    def due(self, now: datetime, *, limit: int = 100) -> list[str]:
        """Conversations whose busy deadline passed or whose pending messages are due for a re-drive, oldest first."""
        ids = as_texts(
            self._client.zrangebyscore(self._keys.due_conversations, "-inf", now.timestamp(), start=0, num=limit)
        )
        if not ids:
            return []
        with self._client.pipeline(transaction=False) as pipe:
            for conversation_id in ids:
                pipe.exists(self._keys.conversation_key(conversation_id))
            present = pipe.execute()
        expired = [cid for cid, exists in zip(ids, present, strict=True) if not exists]
        if expired:
            self._client.zrem(self._keys.due_conversations, *expired)
        return [cid for cid in ids if cid not in expired]

    def _update_index(self, pipe: Pipeline, conversation: Conversation) -> None:
        """Keep the channel's and the person's indexes equal to the unfinished conversations, and the due index
        equal to those owed attention (queued in the transaction, so state, outbox and indexes never disagree)."""
        due = due_at(conversation)
        if due is None:
            pipe.zrem(self._keys.due_conversations, conversation.id)
        else:
            pipe.zadd(self._keys.due_conversations, {conversation.id: due.timestamp()})
        for index in (
            self._keys.active_conversations_key(conversation.team, conversation.channel),
            self._keys.active_by_user_key(conversation.team, conversation.user),
        ):
            if conversation.stage.finished:
                pipe.zrem(index, conversation.id)
            else:
                pipe.zadd(index, {conversation.id: conversation.updated_at.timestamp()})
                pipe.expire(index, self._ttl_seconds)


def _encode(conversation: Conversation) -> str:
    """The stored JSON, wrapped with the schema version so a future shape can refuse old records."""
    return json.dumps({"schema": SCHEMA_VERSION, "conversation": conversation.model_dump(mode="json")})


def _decode(conversation_id: str, raw: str | None) -> Conversation | None:
    """Parse a stored record; anything unreadable is logged and treated as absent, never raised."""
    if raw is None:
        return None
    try:
        envelope = json.loads(raw)
    except ValueError:
        logger.warning("Ignoring conversation %s: the stored record is not JSON", conversation_id)
        return None
    if not isinstance(envelope, dict) or envelope.get("schema") != SCHEMA_VERSION:
        schema = envelope.get("schema") if isinstance(envelope, dict) else None
        logger.warning("Ignoring conversation %s: unknown schema %r", conversation_id, schema)
        return None
    try:
        return Conversation.model_validate(envelope.get("conversation"))
    except ValidationError as exc:
        logger.warning(
            "Ignoring conversation %s: the stored record is invalid (%d errors)",
            conversation_id,
            exc.error_count(),
        )
        return None


def _stored_version(conversation_id: str, raw: object) -> int:
    """The version a save must match; a missing or unreadable record counts as 0 so it can be replaced."""
    stored = _decode(conversation_id, as_text(raw))
    return 0 if stored is None else stored.version
