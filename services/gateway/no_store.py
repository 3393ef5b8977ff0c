"""``Cache-Control: no-store`` on every ``/api/v1/auths/*`` response, as Open WebUI's auth router
sends it (§7.3.1): sessions, keys and the admin config must not sit in any cache."""

from aiohttp import web

AUTHS_PREFIX = "/api/v1/auths/"


async def no_store_on_auths(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: errors included, since the hook sees every response."""
    if request.path.startswith(AUTHS_PREFIX) or request.path == AUTHS_PREFIX.rstrip("/"):
        response.headers["Cache-Control"] = "no-store"
