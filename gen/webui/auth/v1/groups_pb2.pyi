from webui.auth.v1 import auth_pb2 as _auth_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Membership(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEMBERSHIP_UNSPECIFIED: _ClassVar[Membership]
    MEMBERSHIP_EFFECTIVE: _ClassVar[Membership]
    MEMBERSHIP_DIRECT: _ClassVar[Membership]
    MEMBERSHIP_INHERITED: _ClassVar[Membership]
MEMBERSHIP_UNSPECIFIED: Membership
MEMBERSHIP_EFFECTIVE: Membership
MEMBERSHIP_DIRECT: Membership
MEMBERSHIP_INHERITED: Membership

class Group(_message.Message):
    __slots__ = ("id", "user_id", "name", "description", "data_json", "meta_json", "permissions_json", "parent_group_id", "created_at", "updated_at", "member_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    PARENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    name: str
    description: str
    data_json: bytes
    meta_json: bytes
    permissions_json: bytes
    parent_group_id: str
    created_at: int
    updated_at: int
    member_count: int
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., permissions_json: _Optional[bytes] = ..., parent_group_id: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., member_count: _Optional[int] = ...) -> None: ...

class GroupRef(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GroupForm(_message.Message):
    __slots__ = ("name", "description", "permissions_json", "data_json", "meta_json", "parent_group_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    PARENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    permissions_json: bytes
    data_json: bytes
    meta_json: bytes
    parent_group_id: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., permissions_json: _Optional[bytes] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., parent_group_id: _Optional[str] = ...) -> None: ...

class UserWithGroups(_message.Message):
    __slots__ = ("user", "groups")
    USER_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    user: _auth_pb2.User
    groups: _containers.RepeatedCompositeFieldContainer[GroupRef]
    def __init__(self, user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ..., groups: _Optional[_Iterable[_Union[GroupRef, _Mapping]]] = ...) -> None: ...

class ListGroupsRequest(_message.Message):
    __slots__ = ("share",)
    SHARE_FIELD_NUMBER: _ClassVar[int]
    share: bool
    def __init__(self, share: _Optional[bool] = ...) -> None: ...

class ListGroupsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    def __init__(self, groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ...) -> None: ...

class GetGroupsRequest(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetGroupsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    def __init__(self, groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ...) -> None: ...

class CreateGroupRequest(_message.Message):
    __slots__ = ("form",)
    FORM_FIELD_NUMBER: _ClassVar[int]
    form: GroupForm
    def __init__(self, form: _Optional[_Union[GroupForm, _Mapping]] = ...) -> None: ...

class CreateGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class GetGroupRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class GetGroupInfoRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetGroupInfoResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class ExportGroupRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportGroupResponse(_message.Message):
    __slots__ = ("group", "user_ids")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    group: Group
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ..., user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateGroupRequest(_message.Message):
    __slots__ = ("id", "form")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    id: str
    form: GroupForm
    def __init__(self, id: _Optional[str] = ..., form: _Optional[_Union[GroupForm, _Mapping]] = ...) -> None: ...

class UpdateGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class DeleteGroupRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddGroupMembersRequest(_message.Message):
    __slots__ = ("id", "user_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AddGroupMembersResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class RemoveGroupMembersRequest(_message.Message):
    __slots__ = ("id", "user_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveGroupMembersResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: Group
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ...) -> None: ...

class ListGroupUsersRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListGroupUsersResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[UserWithGroups]
    def __init__(self, users: _Optional[_Iterable[_Union[UserWithGroups, _Mapping]]] = ...) -> None: ...

class ListGroupMembersRequest(_message.Message):
    __slots__ = ("id", "membership", "query", "page")
    ID_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    membership: Membership
    query: str
    page: int
    def __init__(self, id: _Optional[str] = ..., membership: _Optional[_Union[Membership, str]] = ..., query: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class GroupMember(_message.Message):
    __slots__ = ("user", "membership_type", "via_group_ids")
    USER_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_TYPE_FIELD_NUMBER: _ClassVar[int]
    VIA_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    user: UserWithGroups
    membership_type: Membership
    via_group_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user: _Optional[_Union[UserWithGroups, _Mapping]] = ..., membership_type: _Optional[_Union[Membership, str]] = ..., via_group_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListGroupMembersResponse(_message.Message):
    __slots__ = ("items", "total", "direct_count", "effective_count", "inherited_count")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DIRECT_COUNT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    INHERITED_COUNT_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[GroupMember]
    total: int
    direct_count: int
    effective_count: int
    inherited_count: int
    def __init__(self, items: _Optional[_Iterable[_Union[GroupMember, _Mapping]]] = ..., total: _Optional[int] = ..., direct_count: _Optional[int] = ..., effective_count: _Optional[int] = ..., inherited_count: _Optional[int] = ...) -> None: ...

class PreviewGroupRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class PreviewGroupResponse(_message.Message):
    __slots__ = ("group", "local_default_models", "effective_default_models", "default_models_source_group_id", "permissions_json", "inherited_permissions_json", "effective_permissions_json")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DEFAULT_MODELS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DEFAULT_MODELS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODELS_SOURCE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    INHERITED_PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    group: Group
    local_default_models: _containers.RepeatedScalarFieldContainer[str]
    effective_default_models: _containers.RepeatedScalarFieldContainer[str]
    default_models_source_group_id: str
    permissions_json: bytes
    inherited_permissions_json: bytes
    effective_permissions_json: bytes
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ..., local_default_models: _Optional[_Iterable[str]] = ..., effective_default_models: _Optional[_Iterable[str]] = ..., default_models_source_group_id: _Optional[str] = ..., permissions_json: _Optional[bytes] = ..., inherited_permissions_json: _Optional[bytes] = ..., effective_permissions_json: _Optional[bytes] = ...) -> None: ...

class ListUserGroupsRequest(_message.Message):
    __slots__ = ("user_id", "include_inherited")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INHERITED_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    include_inherited: bool
    def __init__(self, user_id: _Optional[str] = ..., include_inherited: _Optional[bool] = ...) -> None: ...

class ListUserGroupsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    def __init__(self, groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ...) -> None: ...

class GetUserDetailsRequest(_message.Message):
    __slots__ = ("user_ids", "require_all")
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_ALL_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    require_all: bool
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ..., require_all: _Optional[bool] = ...) -> None: ...

class GetUserDetailsResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[UserWithGroups]
    def __init__(self, users: _Optional[_Iterable[_Union[UserWithGroups, _Mapping]]] = ...) -> None: ...

class GetUserPermissionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetUserPermissionsResponse(_message.Message):
    __slots__ = ("permissions_json",)
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    permissions_json: bytes
    def __init__(self, permissions_json: _Optional[bytes] = ...) -> None: ...

class GetDefaultPermissionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetDefaultPermissionsResponse(_message.Message):
    __slots__ = ("permissions_json",)
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    permissions_json: bytes
    def __init__(self, permissions_json: _Optional[bytes] = ...) -> None: ...

class SetDefaultPermissionsRequest(_message.Message):
    __slots__ = ("permissions_json",)
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    permissions_json: bytes
    def __init__(self, permissions_json: _Optional[bytes] = ...) -> None: ...

class SetDefaultPermissionsResponse(_message.Message):
    __slots__ = ("permissions_json",)
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    permissions_json: bytes
    def __init__(self, permissions_json: _Optional[bytes] = ...) -> None: ...

class GetBuiltinPermissionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetBuiltinPermissionsResponse(_message.Message):
    __slots__ = ("permissions_json",)
    PERMISSIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    permissions_json: bytes
    def __init__(self, permissions_json: _Optional[bytes] = ...) -> None: ...
