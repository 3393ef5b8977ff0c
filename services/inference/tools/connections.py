"""Tool-server connections in Open WebUI's format (``TOOL_SERVER_CONNECTIONS``), read and checked at
start so that a typo stops the service instead of silently dropping a server."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

OPENAPI = "openapi"
MCP = "mcp"
# Auth types a call can honour: "session" forwards the caller's own credential.
SUPPORTED_AUTH = ("bearer", "none", "session")
DEFAULT_SPEC_PATH = "openapi.json"


@dataclass(frozen=True)
class ToolServerConnection:
    """One configured server; ``id`` is ``info.id`` or its index in the list, as Open WebUI names it."""

    id: str
    type: str
    url: str
    path: str = DEFAULT_SPEC_PATH
    auth_type: str = "bearer"
    key: str = field(default="", repr=False)
    headers: dict[str, str] = field(default_factory=dict)
    spec_type: str = "url"
    # The inline spec (``spec_type: "json"``), as text.
    spec: str = ""
    enabled: bool = True
    access_grants: tuple[dict, ...] = ()
    # Operation names the server is cut down to; empty: all of them.
    function_names: frozenset[str] = frozenset()
    # ``info.name`` / ``info.description``: shown where the spec has no title.
    name: str = ""
    description: str = ""

    @property
    def spec_url(self) -> str:
        """Where the spec is fetched: ``path`` when it is a whole URL, else under ``url``."""
        if self.path.lower().startswith(("http://", "https://")):
            return self.path
        return f"{self.url}/{self.path.lstrip('/')}"


def _http_url(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be an http(s) URL")
    url = value.strip().rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError(f"{what} {url!r} is not a URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} {url!r} must start with http:// or https://")
    return url


def _headers(value: object, where: str) -> dict[str, str]:
    # The admin UI stores headers as a JSON object, sometimes as its text.
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"{where}: headers must be a JSON object") from None
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{where}: headers must be an object of strings")
    return {name: str(text) for name, text in value.items() if text is not None}


def _names(value: object) -> frozenset[str]:
    if isinstance(value, list):
        items = [str(item) for item in value]
    elif isinstance(value, str):
        items = value.split(",")
    else:
        items = []
    return frozenset(item.strip() for item in items if item.strip())


def _spec_text(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value if isinstance(value, str) else ""


def _connection(index: int, raw: object) -> ToolServerConnection:
    where = f"TOOL_SERVER_CONNECTIONS[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    info = raw.get("info") if isinstance(raw.get("info"), dict) else {}
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    server_id = info.get("id")
    server_id = str(index) if server_id in (None, "") else str(server_id)
    if "|" in server_id or any(c.isspace() for c in server_id):
        raise ValueError(f"{where}: info.id {server_id!r} may hold neither '|' nor spaces")
    kind = str(raw.get("type") or OPENAPI).lower()
    spec_type = str(raw.get("spec_type") or "url").lower()
    if spec_type not in ("url", "json"):
        raise ValueError(f"{where}: spec_type must be 'url' or 'json'")
    grants = config.get("access_grants")
    return ToolServerConnection(
        id=server_id,
        type=kind,
        url=_http_url(raw.get("url"), f"{where}.url"),
        path=str(raw.get("path") or DEFAULT_SPEC_PATH),
        auth_type=str(raw.get("auth_type") or "bearer").lower(),
        key=str(raw.get("key") or ""),
        headers=_headers(raw.get("headers"), where),
        spec_type=spec_type,
        spec=_spec_text(raw.get("spec")),
        enabled=config.get("enable", True) is not False,
        access_grants=tuple(g for g in grants if isinstance(g, dict)) if isinstance(grants, list) else (),
        function_names=_names(config.get("function_name_filter_list")),
        name=str(info.get("name") or ""),
        description=str(info.get("description") or ""),
    )


def parse_connections(text: str) -> list[ToolServerConnection]:
    """The connections in ``text`` (a JSON list); ValueError naming the bad entry otherwise."""
    try:
        raw = json.loads(text or "[]")
    except ValueError:
        raise ValueError("TOOL_SERVER_CONNECTIONS must be a JSON list") from None
    if not isinstance(raw, list):
        raise ValueError("TOOL_SERVER_CONNECTIONS must be a JSON list")
    connections = [_connection(index, item) for index, item in enumerate(raw)]
    seen: set[tuple[bool, str]] = set()
    for connection in connections:
        # MCP ids live in their own namespace (server:mcp:<id>).
        key = (connection.type == MCP, connection.id)
        if key in seen:
            raise ValueError(f"TOOL_SERVER_CONNECTIONS: the id {connection.id!r} is used twice")
        seen.add(key)
    return connections
