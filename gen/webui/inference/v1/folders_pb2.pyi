from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FolderShareMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FOLDER_SHARE_MODE_UNSPECIFIED: _ClassVar[FolderShareMode]
    FOLDER_SHARE_MODE_NONE: _ClassVar[FolderShareMode]
    FOLDER_SHARE_MODE_CONTINUE: _ClassVar[FolderShareMode]
FOLDER_SHARE_MODE_UNSPECIFIED: FolderShareMode
FOLDER_SHARE_MODE_NONE: FolderShareMode
FOLDER_SHARE_MODE_CONTINUE: FolderShareMode

class Folder(_message.Message):
    __slots__ = ("id", "user_id", "parent_id", "name", "items_json", "meta_json", "data_json", "is_expanded", "created_at", "updated_at", "unread_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ITEMS_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_EXPANDED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UNREAD_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    parent_id: str
    name: str
    items_json: bytes
    meta_json: bytes
    data_json: bytes
    is_expanded: bool
    created_at: int
    updated_at: int
    unread_count: int
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., items_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., data_json: _Optional[bytes] = ..., is_expanded: _Optional[bool] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., unread_count: _Optional[int] = ...) -> None: ...

class ListFoldersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFoldersResponse(_message.Message):
    __slots__ = ("folders",)
    FOLDERS_FIELD_NUMBER: _ClassVar[int]
    folders: _containers.RepeatedCompositeFieldContainer[Folder]
    def __init__(self, folders: _Optional[_Iterable[_Union[Folder, _Mapping]]] = ...) -> None: ...

class CreateFolderRequest(_message.Message):
    __slots__ = ("name", "data_json", "meta_json", "parent_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_json: bytes
    meta_json: bytes
    parent_id: str
    def __init__(self, name: _Optional[str] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., parent_id: _Optional[str] = ...) -> None: ...

class CreateFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ...) -> None: ...

class GetFolderRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetFolderResponse(_message.Message):
    __slots__ = ("folder", "access_grants", "write_access")
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    access_grants: _containers.RepeatedCompositeFieldContainer[FolderAccessGrant]
    write_access: bool
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ..., access_grants: _Optional[_Iterable[_Union[FolderAccessGrant, _Mapping]]] = ..., write_access: _Optional[bool] = ...) -> None: ...

class UpdateFolderRequest(_message.Message):
    __slots__ = ("id", "name", "data_json", "meta_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    data_json: bytes
    meta_json: bytes
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ...) -> None: ...

class UpdateFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ...) -> None: ...

class MoveFolderRequest(_message.Message):
    __slots__ = ("id", "parent_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_id: str
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ...) -> None: ...

class MoveFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ...) -> None: ...

class SetFolderExpandedRequest(_message.Message):
    __slots__ = ("id", "is_expanded")
    ID_FIELD_NUMBER: _ClassVar[int]
    IS_EXPANDED_FIELD_NUMBER: _ClassVar[int]
    id: str
    is_expanded: bool
    def __init__(self, id: _Optional[str] = ..., is_expanded: _Optional[bool] = ...) -> None: ...

class SetFolderExpandedResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ...) -> None: ...

class DeleteFolderRequest(_message.Message):
    __slots__ = ("id", "delete_contents")
    ID_FIELD_NUMBER: _ClassVar[int]
    DELETE_CONTENTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    delete_contents: bool
    def __init__(self, id: _Optional[str] = ..., delete_contents: _Optional[bool] = ...) -> None: ...

class DeleteFolderResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class FolderAccessGrant(_message.Message):
    __slots__ = ("id", "principal_type", "principal_id", "permission", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    principal_type: str
    principal_id: str
    permission: str
    created_at: int
    def __init__(self, id: _Optional[str] = ..., principal_type: _Optional[str] = ..., principal_id: _Optional[str] = ..., permission: _Optional[str] = ..., created_at: _Optional[int] = ...) -> None: ...

class UpdateFolderAccessRequest(_message.Message):
    __slots__ = ("id", "access_grants_json", "share_mode")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    SHARE_MODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    access_grants_json: bytes
    share_mode: FolderShareMode
    def __init__(self, id: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ..., share_mode: _Optional[_Union[FolderShareMode, str]] = ...) -> None: ...

class UpdateFolderAccessResponse(_message.Message):
    __slots__ = ("folder", "access_grants")
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    access_grants: _containers.RepeatedCompositeFieldContainer[FolderAccessGrant]
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ..., access_grants: _Optional[_Iterable[_Union[FolderAccessGrant, _Mapping]]] = ...) -> None: ...

class ListSharedFoldersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SharedFolder(_message.Message):
    __slots__ = ("folder", "permission")
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    permission: str
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ..., permission: _Optional[str] = ...) -> None: ...

class ListSharedFoldersResponse(_message.Message):
    __slots__ = ("folders",)
    FOLDERS_FIELD_NUMBER: _ClassVar[int]
    folders: _containers.RepeatedCompositeFieldContainer[SharedFolder]
    def __init__(self, folders: _Optional[_Iterable[_Union[SharedFolder, _Mapping]]] = ...) -> None: ...

class ListSharedFolderChatsRequest(_message.Message):
    __slots__ = ("id", "page", "sort_by", "ascending")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    id: str
    page: int
    sort_by: str
    ascending: bool
    def __init__(self, id: _Optional[str] = ..., page: _Optional[int] = ..., sort_by: _Optional[str] = ..., ascending: _Optional[bool] = ...) -> None: ...

class SharedFolderChat(_message.Message):
    __slots__ = ("id", "user_id", "title", "created_at", "updated_at", "last_read_at", "participant_ids", "readonly")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_READ_AT_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_IDS_FIELD_NUMBER: _ClassVar[int]
    READONLY_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    title: str
    created_at: int
    updated_at: int
    last_read_at: int
    participant_ids: _containers.RepeatedScalarFieldContainer[str]
    readonly: bool
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., title: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., last_read_at: _Optional[int] = ..., participant_ids: _Optional[_Iterable[str]] = ..., readonly: _Optional[bool] = ...) -> None: ...

class ListSharedFolderChatsResponse(_message.Message):
    __slots__ = ("chats", "folder_permission", "total", "has_more")
    CHATS_FIELD_NUMBER: _ClassVar[int]
    FOLDER_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[SharedFolderChat]
    folder_permission: str
    total: int
    has_more: bool
    def __init__(self, chats: _Optional[_Iterable[_Union[SharedFolderChat, _Mapping]]] = ..., folder_permission: _Optional[str] = ..., total: _Optional[int] = ..., has_more: _Optional[bool] = ...) -> None: ...

class MarkFolderReadRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class MarkFolderReadResponse(_message.Message):
    __slots__ = ("folder_id", "folder_ids", "updated_count", "folder_unread_counts")
    class FolderUnreadCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    FOLDER_IDS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    FOLDER_UNREAD_COUNTS_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    folder_ids: _containers.RepeatedScalarFieldContainer[str]
    updated_count: int
    folder_unread_counts: _containers.ScalarMap[str, int]
    def __init__(self, folder_id: _Optional[str] = ..., folder_ids: _Optional[_Iterable[str]] = ..., updated_count: _Optional[int] = ..., folder_unread_counts: _Optional[_Mapping[str, int]] = ...) -> None: ...
