"""One call of a tool-server operation: the request built from the model's arguments, sent only to
the configured server, and its answer turned into the text the model gets back.

Every failure of the server (an error status, a timeout, a body too large) comes back as Open
WebUI's ``{"error": "..."}`` text, never as an exception: the model sees it and carries on.
"""

import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
from yarl import URL

from services.common.identity import Identity
from services.inference.tools.connections import ToolServerConnection
from services.inference.tools.openapi_specs import Operation

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# Characters a path template may keep as they are (RFC 3986 pchar and "/", "%" of existing escapes).
_PATH_SAFE = "/-._~!$&'()*+,;=:@%"
_HEADER_FIELDS = {
    "{{USER_ID}}": lambda user: user.user_id,
    "{{USER_NAME}}": lambda user: user.name,
    "{{USER_EMAIL}}": lambda user: user.email,
    "{{USER_ROLE}}": lambda user: user.role,
}


class CallRefused(Exception):
    """The call cannot be made as asked (a missing path parameter, an unsupported auth type)."""


@dataclass(frozen=True)
class PreparedCall:
    method: str
    url: URL
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes | None


def error_text(message: str) -> str:
    return json.dumps({"error": message}, ensure_ascii=False)


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _path(operation: Operation, arguments: dict) -> str:
    pieces: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(operation.path):
        pieces.append(quote(operation.path[last : match.start()], safe=_PATH_SAFE))
        value = arguments.get(match.group(1))
        if value is None or value == "":
            raise CallRefused(f"Missing path parameter: {match.group(1)}")
        pieces.append(quote(_query_value(value), safe=""))
        last = match.end()
    pieces.append(quote(operation.path[last:], safe=_PATH_SAFE))
    return "".join(pieces)


def _header_value(template: str, caller: Identity) -> str:
    text = template
    for placeholder, field in _HEADER_FIELDS.items():
        if placeholder in text:
            # A user's name must not be able to start a header of its own.
            text = text.replace(placeholder, re.sub(r"[\r\n]", " ", field(caller)))
    return text


def auth_headers(connection: ToolServerConnection, caller: Identity | None) -> dict[str, str]:
    """Authorization for this connection: its key (``bearer``), the caller's own credential
    (``session``, which has none when there is no caller, as when fetching the spec), or none."""
    if connection.auth_type == "bearer":
        return {"Authorization": f"Bearer {connection.key}"} if connection.key else {}
    if connection.auth_type == "session":
        credential = caller.credential if caller is not None else ""
        return {"Authorization": f"Bearer {credential}"} if credential else {}
    if connection.auth_type == "none":
        return {}
    raise CallRefused(f"auth_type {connection.auth_type!r} is not supported")


def request_headers(connection: ToolServerConnection, caller: Identity) -> dict[str, str]:
    """The connection's custom headers, filled in for the caller, and its Authorization."""
    headers = {name: _header_value(value, caller) for name, value in connection.headers.items()}
    headers.update(auth_headers(connection, caller))
    return headers


def prepare(
    connection: ToolServerConnection, operation: Operation, arguments: dict, caller: Identity
) -> PreparedCall:
    """The request for this call, at the connection's own address; ``CallRefused`` when it cannot
    be built or would leave that address."""
    base = URL(connection.url)
    # Only the path is the spec's: scheme, host and port stay the connection's.
    url = base.with_path(base.raw_path.rstrip("/") + _path(operation, arguments), encoded=True)
    if url.origin() != base.origin():
        raise CallRefused(f"The operation path {operation.path!r} leaves the tool server")
    query = tuple(
        (name, _query_value(item))
        for name in operation.query_params
        for item in (arguments[name] if isinstance(arguments.get(name), list) else [arguments.get(name)])
        if item is not None and item != ""
    )
    headers = request_headers(connection, caller)
    body = None
    if operation.sends_body:
        taken = {*operation.path_params, *operation.query_params}
        rest = {name: value for name, value in arguments.items() if name not in taken}
        body = json.dumps(rest, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    return PreparedCall(operation.method.upper(), url, query, headers, body)


async def read_limited(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes | None:
    """The whole body, or None as soon as it passes ``max_bytes`` (the rest is never read)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            return None
        parts.append(chunk)
    return b"".join(parts)


def result_text(status: int, content_type: str, charset: str | None, body: bytes) -> str:
    """The model's text for an answer: JSON as JSON text (a JSON string as itself), text as it
    is, anything else as a data URL; an error status as Open WebUI's error object."""
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    if status >= 400:
        return error_text(f"HTTP error {status}: {text}")
    if 300 <= status < 400:
        return error_text(f"HTTP error {status}: redirects are not followed")
    kind = content_type.lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        return parsed if isinstance(parsed, str) else json.dumps(parsed, ensure_ascii=False)
    if not kind or kind.startswith("text/") or kind in ("application/xml", "application/yaml"):
        return text
    return f"data:{kind};base64,{base64.b64encode(body).decode()}"


async def send(
    session: aiohttp.ClientSession, prepared: PreparedCall, deadline: aiohttp.ClientTimeout, max_bytes: int
) -> str:
    """Makes the call, following no redirect; the model's text, whatever happened."""
    try:
        async with session.request(
            prepared.method,
            prepared.url,
            params=list(prepared.query) or None,
            data=prepared.body,
            headers=prepared.headers,
            timeout=deadline,
            allow_redirects=False,
        ) as response:
            body = await read_limited(response.content.iter_any(), max_bytes)
            if body is None:
                return error_text(f"The tool server's response is larger than {max_bytes} bytes")
            return result_text(response.status, response.content_type, response.charset, body)
    except TimeoutError:
        return error_text(f"The tool server did not answer within {deadline.total:g} s")
    except (aiohttp.ClientError, ValueError) as error:
        return error_text(f"The tool server could not be reached: {error or type(error).__name__}")
