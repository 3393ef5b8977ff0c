"""The ``user`` objects list replies carry for each row's owner, read from the auth service."""

import asyncio
from collections.abc import Iterable

import grpc

from services.gateway.auth_client import AuthClient
from services.gateway.views import role_name


async def user_ref(auth: AuthClient, credential: str, user_id: str) -> dict | None:
    """``{id, name, role, email}`` of a user; None once the user is deleted."""
    try:
        user = await auth.get_user(credential, user_id)
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return {"id": user.id, "name": user.name, "role": role_name(user), "email": user.email}


async def attach_users(auth: AuthClient, credential: str, items: list[dict]) -> list[dict]:
    """Sets each item's ``user`` from its ``user_id`` (one lookup per distinct owner, made with the
    credential of the user who asked)."""
    user_ids = sorted({item["user_id"] for item in items if item.get("user_id")})
    refs = await asyncio.gather(*(user_ref(auth, credential, user_id) for user_id in user_ids))
    users = dict(zip(user_ids, refs, strict=True))
    for item in items:
        item["user"] = users.get(item.get("user_id"))
    return items


async def user_names(auth: AuthClient, credential: str, user_ids: Iterable[str]) -> dict[str, str]:
    """Names by user id (one lookup per distinct id); a deleted user is left out."""
    distinct = sorted(set(user_ids))
    refs = await asyncio.gather(*(user_ref(auth, credential, user_id) for user_id in distinct))
    return {user_id: ref["name"] for user_id, ref in zip(distinct, refs, strict=True) if ref is not None}
