"""Requests for approval in Redis: versioned JSON with a TTL and the open set, written together with WATCH/MULTI."""

from __future__ import annotations

import json
import logging

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_text, as_texts, watch
from workflows.exceptions import ConcurrentUpdate
from workflows.governance.approvals import ApprovalRequest

logger = logging.getLogger(__name__)

#: Bumped when the stored shape changes incompatibly; older records then read as absent.
SCHEMA_VERSION = 1
_CONFLICT = "Someone else answered this request at the same moment."


class RedisApprovals:
    """``ApprovalStore`` on Redis; the record and the open set share the ``{approvals}`` hash tag."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int = keys.APPROVAL_TTL_SECONDS,
        keyspace: keys.Keyspace = keys.DEFAULT,
    ) -> None:
        self._client = client
        self._ttl_seconds = ttl_seconds
        self._keys = keyspace

    def create(self, request: ApprovalRequest) -> ApprovalRequest:
        """Store a new request (version 1) unless one with its id exists; returns what is stored."""
        key = self._keys.approval_key(request.id)
        stored = request.model_copy(update={"version": 1})
        with self._client.pipeline(transaction=True) as pipe:
            try:
                watch(pipe, key)
                existing = _decode(request.id, as_text(pipe.get(key)))
                if existing is not None:
                    return existing
                pipe.multi()
                self._write(pipe, stored)
                pipe.execute()
            except redis.WatchError:
                existing = self.get(request.id)
                if existing is None:
                    raise ConcurrentUpdate(_CONFLICT) from None
                return existing
        return stored

    def get(self, request_id: str) -> ApprovalRequest | None:
        return _decode(request_id, as_text(self._client.get(self._keys.approval_key(request_id))))

    def save(self, request: ApprovalRequest) -> ApprovalRequest:
        """Write only if the stored version is the one ``request`` was read at; the open set follows the record."""
        key = self._keys.approval_key(request.id)
        stored = request.model_copy(update={"version": request.version + 1})
        with self._client.pipeline(transaction=True) as pipe:
            try:
                watch(pipe, key)
                current = _decode(request.id, as_text(pipe.get(key)))
                if current is None or current.version != request.version:
                    raise ConcurrentUpdate(_CONFLICT)
                pipe.multi()
                self._write(pipe, stored)
                pipe.execute()
            except redis.WatchError as exc:
                raise ConcurrentUpdate(_CONFLICT) from exc
        return stored

    def open_ids(self) -> list[str]:
        """Open requests, oldest first; ids whose record expired are dropped from the set."""
        ids = as_texts(self._client.zrange(self._keys.open_approvals, 0, -1))
        if not ids:
            return []
        with self._client.pipeline(transaction=False) as pipe:
            for request_id in ids:
                pipe.exists(self._keys.approval_key(request_id))
            present = pipe.execute()
        gone = [request_id for request_id, exists in zip(ids, present, strict=True) if not exists]
        if gone:
            self._client.zrem(self._keys.open_approvals, *gone)
        return [request_id for request_id in ids if request_id not in gone]

    def _write(self, pipe: redis.client.Pipeline, request: ApprovalRequest) -> None:
        pipe.set(self._keys.approval_key(request.id), _encode(request), ex=self._ttl_seconds)
        if request.open:
            pipe.zadd(self._keys.open_approvals, {request.id: request.created_at.timestamp()})
        else:
            pipe.zrem(self._keys.open_approvals, request.id)


def _encode(request: ApprovalRequest) -> str:
    return json.dumps({"schema": SCHEMA_VERSION, "request": request.model_dump(mode="json")})


def _decode(request_id: str, raw: str | None) -> ApprovalRequest | None:
    """Parse a stored record; anything unreadable is logged and read as absent, never raised."""
    if raw is None:
        return None
    try:
        envelope = json.loads(raw)
    except ValueError:
        logger.warning("Ignoring request for approval %s: the stored record is not JSON", request_id)
        return None
    if not isinstance(envelope, dict) or envelope.get("schema") != SCHEMA_VERSION:
        logger.warning("Ignoring request for approval %s: unknown schema", request_id)
        return None
    try:
        return ApprovalRequest.model_validate(envelope.get("request"))
    except ValidationError as exc:
        logger.warning("Ignoring request for approval %s: invalid record (%d errors)", request_id, exc.error_count())
        return None
