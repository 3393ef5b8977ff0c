"""The caller's effective permission tree for session replies and ``/api/config``: the true keys
AuthService put in the identity (stored defaults over built-in, OR'd with the user's groups),
laid out as Open WebUI's tree. No extra RPC: the identity comes from the guard's cached answer."""

from aiohttp import web

from services.common import permissions
from services.gateway.state import GUARD


def permission_tree(keys: object) -> dict:
    """Open WebUI's tree whose true keys are ``keys`` (every built-in key present)."""
    return permissions.tree_of(frozenset(keys))  # type: ignore[arg-type]


async def caller_permissions(request: web.Request, credential: str) -> dict:
    reply = await request.app[GUARD].verify(credential)
    return permission_tree(reply.identity.permissions)
