"""The refusal of an over-limit request: 429 over HTTP, RESOURCE_EXHAUSTED over gRPC, with the
OpenAI-style x-ratelimit-* values carried as trailing metadata for the gateway to turn into headers."""

import json

from services.common.errors import ResourceExhausted

# Trailing metadata holding the JSON detail (which limit), read by the gateway's error mapping.
DETAIL_METADATA_KEY = "webui-ratelimit-detail"


class RateLimited(ResourceExhausted):
    def __init__(self, detail: str, limit: dict, headers: dict[str, str]) -> None:
        super().__init__(detail)
        self.limit = limit
        self.headers = headers

    @property
    def trailers(self) -> tuple[tuple[str, str], ...]:
        """gRPC trailing metadata: header names lower-cased (gRPC requires it), and the detail."""
        body = json.dumps({"message": self.detail, **self.limit}, separators=(",", ":"))
        return (*((name.lower(), value) for name, value in self.headers.items()), (DETAIL_METADATA_KEY, body))


def headers_from_trailers(trailers: object) -> tuple[dict[str, str], object | None]:
    """The x-ratelimit-* / Retry-After headers and the JSON detail a RateLimited carried, if any."""
    headers: dict[str, str] = {}
    detail = None
    for key, value in trailers or ():  # type: ignore[attr-defined]
        if key == DETAIL_METADATA_KEY:
            try:
                detail = json.loads(value)
            except ValueError:
                detail = None
        elif key.startswith("x-ratelimit-"):
            headers[key] = str(value)
        elif key == "retry-after":
            headers["Retry-After"] = str(value)
    return headers, detail
