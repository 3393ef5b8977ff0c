"""JSON of the scoped API keys (``/api/v1/auths/api_keys``)."""

import time

from webui.auth.v1 import api_keys_pb2
from webui.inference.v1 import usage_pb2


def api_key_json(key: api_keys_pb2.ApiKey) -> dict:
    """A key without its secret: ``masked_key`` is ``sk-…`` and the last four characters."""
    return {
        "id": key.id,
        "name": key.name,
        "kind": key.kind,
        "masked_key": key.masked_key,
        "created_at": key.created_at,
        "expires_at": key.expires_at or None,
        "expired": bool(key.expires_at) and key.expires_at <= time.time(),
        "last_used_at": key.last_used_at or None,
        "model_ids": list(key.model_ids),
        "knowledge_ids": list(key.knowledge_ids),
        "file_ids": list(key.file_ids),
    }


def key_usage_json(row: usage_pb2.UsageRow | None) -> dict:
    """A key's lifetime usage (from its usage records): zeros for a key never used."""
    row = row if row is not None else usage_pb2.UsageRow()
    return {
        "requests": row.requests,
        "errors": row.errors,
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "total_tokens": row.input_tokens + row.output_tokens,
        "context_tokens": row.context_tokens,
        "chunks": row.chunks,
        "estimated_requests": row.estimated_requests,
    }


def created_key_json(reply: api_keys_pb2.CreateKeyResponse) -> dict:
    """The new key's record and, this once, the whole key."""
    return {**api_key_json(reply.key), "api_key": reply.api_key}
