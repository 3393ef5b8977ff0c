"""JSON shapes of groups, group members and users with their groups, as Open WebUI returns them
(api-contract-2.md §6.1, §7.1). Key order is Open WebUI's."""

import json
import time
from collections.abc import Iterable
from typing import Any

from services.gateway.views import role_name
from webui.auth.v1 import auth_pb2
from webui.auth.v1 import groups_pb2 as pb
from webui.inference.v1 import group_reach_pb2 as inference_reach_pb2
from webui.ingest.v1 import group_reach_pb2 as ingest_reach_pb2

# A user seen within this many seconds counts as active (Open WebUI's is_active).
ACTIVE_WINDOW_S = 180
MEMBERSHIP_NAMES = {
    pb.MEMBERSHIP_DIRECT: "direct",
    pb.MEMBERSHIP_INHERITED: "inherited",
    pb.MEMBERSHIP_EFFECTIVE: "effective",
}
MEMBERSHIP_VALUES = {name: value for value, name in MEMBERSHIP_NAMES.items()}


def _loads(raw: bytes) -> object:
    return json.loads(raw) if raw else None


def is_active(user: auth_pb2.User) -> bool:
    return time.time() - user.last_active_at < ACTIVE_WINDOW_S


def group_json(group: pb.Group) -> dict:
    """GroupResponse."""
    return {
        "parent_group_id": group.parent_group_id if group.HasField("parent_group_id") else None,
        "id": group.id,
        "user_id": group.user_id,
        "name": group.name,
        "description": group.description,
        "data": _loads(group.data_json),
        "meta": _loads(group.meta_json),
        "permissions": _loads(group.permissions_json),
        "created_at": group.created_at,
        "updated_at": group.updated_at,
        "member_count": group.member_count,
    }


def group_info_json(group: pb.Group) -> dict:
    """``GET /id/{id}/info``: what any verified user may see of a group."""
    return {
        "parent_group_id": group.parent_group_id if group.HasField("parent_group_id") else None,
        "id": group.id,
        "user_id": group.user_id,
        "name": group.name,
        "description": group.description,
        "member_count": group.member_count,
        "created_at": group.created_at,
        "updated_at": group.updated_at,
    }


def group_export_json(reply: pb.ExportGroupResponse) -> dict:
    return {**group_json(reply.group), "user_ids": list(reply.user_ids)}


def _refs(entry: pb.UserWithGroups) -> list[dict]:
    return [{"id": g.id, "name": g.name} for g in entry.groups]


def user_info_json(entry: pb.UserWithGroups) -> dict:
    """UserInfoResponse (group members, ``GET /api/v1/users/{id}/info``)."""
    user = entry.user
    return {
        "status_emoji": None,
        "status_message": None,
        "status_expires_at": None,
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": role_name(user),
        "bio": None,
        "last_active_at": user.last_active_at,
        "timezone": None,
        "groups": _refs(entry),
        "is_active": is_active(user),
    }


def member_json(member: pb.GroupMember) -> dict:
    return {
        **user_info_json(member.user),
        "membership_type": MEMBERSHIP_NAMES.get(member.membership_type, "direct"),
        "via_group_ids": list(member.via_group_ids),
    }


def members_json(reply: pb.ListGroupMembersResponse) -> dict:
    return {
        "items": [member_json(m) for m in reply.items],
        "total": reply.total,
        "counts": {
            "direct": reply.direct_count,
            "effective": reply.effective_count,
            "inherited": reply.inherited_count,
        },
    }


def user_detail_json(entry: pb.UserWithGroups) -> dict:
    """``GET /api/v1/users/{id}`` (admin), in the observed key order (§7.1)."""
    user = entry.user
    return {
        "status_emoji": None,
        "status_message": None,
        "status_expires_at": None,
        "name": user.name,
        "profile_image_url": user.profile_image_url,
        "groups": _refs(entry),
        "is_active": is_active(user),
        "id": user.id,
        "email": user.email,
        "username": None,
        "role": role_name(user),
        "profile_banner_image_url": None,
        "bio": None,
        "gender": None,
        "date_of_birth": None,
        "timezone": None,
        "presence_state": None,
        "info": None,
        "settings": None,
        "oauth": None,
        "scim": None,
        "last_active_at": user.last_active_at,
        "updated_at": user.updated_at,
        "created_at": user.created_at,
    }


def _reached(items: Iterable[Any]) -> dict:
    listed = [{"id": item.id, "name": item.name} for item in items]
    return {"items": listed, "total": len(listed)}


def preview_json(
    reply: pb.PreviewGroupResponse,
    reach: inference_reach_pb2.GetGroupReachResponse,
    knowledge: ingest_reach_pb2.GetGroupKnowledgeResponse,
) -> dict:
    """``GET /id/{id}/preview``: the group (auth), the models and tools (inference) and the
    knowledge bases (ingest) a member of only this group may read."""
    return {
        "group": {"id": reply.group.id, "name": reply.group.name},
        "default_models": {
            "local": list(reply.local_default_models),
            "effective": list(reply.effective_default_models),
            "source_group_id": reply.default_models_source_group_id
            if reply.HasField("default_models_source_group_id")
            else None,
        },
        "models": _reached(reach.models),
        "knowledge": _reached(knowledge.knowledge),
        "tools": _reached(reach.tools),
        "permissions": _loads(reply.permissions_json) or {},
        "inherited_permissions": _loads(reply.inherited_permissions_json) or {},
        "effective_permissions": _loads(reply.effective_permissions_json) or {},
    }
