from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: Folder
    def __init__(self, folder: _Optional[_Union[Folder, _Mapping]] = ...) -> None: ...

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
