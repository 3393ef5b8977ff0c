"""JSON shapes of users and sessions, as Open WebUI returns them."""

from webui.auth.v1 import auth_pb2

ROLE_NAMES = {
    auth_pb2.ROLE_PENDING: "pending",
    auth_pb2.ROLE_USER: "user",
    auth_pb2.ROLE_ADMIN: "admin",
}
ROLE_VALUES = {name: value for value, name in ROLE_NAMES.items()}


def role_name(user: auth_pb2.User) -> str:
    return ROLE_NAMES.get(user.role, "pending")


def session_json(session: auth_pb2.Session, permissions: dict) -> dict:
    """SessionUserResponse: the signup/signin reply."""
    user = session.user
    return {
        "id": user.id,
        "name": user.name,
        "role": role_name(user),
        "email": user.email,
        "profile_image_url": f"/api/v1/users/{user.id}/profile/image",
        "token": session.token,
        "token_type": "Bearer",
        "expires_at": session.expires_at or None,
        "permissions": permissions,
    }


def session_info_json(user: auth_pb2.User, token: str, expires_at: int, permissions: dict) -> dict:
    """SessionUserInfoResponse: ``GET /api/v1/auths/``."""
    return {
        "id": user.id,
        "name": user.name,
        "role": role_name(user),
        "email": user.email,
        "profile_image_url": user.profile_image_url,
        "token": token,
        "token_type": "Bearer",
        "expires_at": expires_at or None,
        "permissions": permissions,
        "bio": None,
        "gender": None,
        "date_of_birth": None,
        "status_emoji": None,
        "status_message": None,
        "status_expires_at": None,
    }


def added_user_json(session: auth_pb2.Session) -> dict:
    """The ``POST /api/v1/auths/add`` reply."""
    user = session.user
    return {
        "token": session.token,
        "token_type": "Bearer",
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": role_name(user),
        "profile_image_url": user.profile_image_url,
    }


def user_json(user: auth_pb2.User) -> dict:
    """UserModel."""
    return {
        "id": user.id,
        "email": user.email,
        "username": None,
        "role": role_name(user),
        "name": user.name,
        "profile_image_url": user.profile_image_url,
        "bio": None,
        "gender": None,
        "date_of_birth": None,
        "timezone": None,
        "presence_state": None,
        "status_emoji": None,
        "status_message": None,
        "status_expires_at": None,
        "info": None,
        "settings": None,
        "oauth": None,
        "scim": None,
        "last_active_at": user.last_active_at,
        "updated_at": user.updated_at,
        "created_at": user.created_at,
    }


def user_list_item_json(user: auth_pb2.User, group_ids: list[str]) -> dict:
    """An item of the admin list: the user row and its direct groups' ids."""
    return {**user_json(user), "group_ids": group_ids}
