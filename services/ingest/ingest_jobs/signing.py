"""Callback signatures: ``X-Webui-Signature: sha256=<hex>``, the HMAC-SHA256, keyed with
``INGEST_CALLBACK_SECRET``, of ``<timestamp>.<body>`` where ``<timestamp>`` is the
``X-Webui-Timestamp`` header (Unix seconds) and ``<body>`` the exact bytes of the JSON body.

A receiver recomputes it over the raw body, compares in constant time, and refuses timestamps too
far from its clock (replays)."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Webui-Signature"
TIMESTAMP_HEADER = "X-Webui-Timestamp"
CALLBACK_ID_HEADER = "X-Webui-Callback-Id"
_PREFIX = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(secret: str, headers: dict[str, str], body: bytes, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does (tests use it): a matching signature over a recent timestamp."""
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(headers.get(SIGNATURE_HEADER, ""), signature(secret, timestamp, body))
