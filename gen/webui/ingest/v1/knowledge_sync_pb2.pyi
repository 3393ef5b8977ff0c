from webui.ingest.v1 import ingest_pb2 as _ingest_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KnowledgeDirectory(_message.Message):
    __slots__ = ("id", "knowledge_id", "parent_id", "name", "user_id", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    knowledge_id: str
    parent_id: str
    name: str
    user_id: str
    created_at: int
    updated_at: int
    def __init__(self, id: _Optional[str] = ..., knowledge_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., user_id: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class CreateKnowledgeDirectoryRequest(_message.Message):
    __slots__ = ("knowledge_id", "name", "parent_id")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    name: str
    parent_id: str
    def __init__(self, knowledge_id: _Optional[str] = ..., name: _Optional[str] = ..., parent_id: _Optional[str] = ...) -> None: ...

class CreateKnowledgeDirectoryResponse(_message.Message):
    __slots__ = ("directory",)
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    directory: KnowledgeDirectory
    def __init__(self, directory: _Optional[_Union[KnowledgeDirectory, _Mapping]] = ...) -> None: ...

class UpdateKnowledgeDirectoryRequest(_message.Message):
    __slots__ = ("knowledge_id", "directory_id", "name", "move", "parent_id")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MOVE_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    directory_id: str
    name: str
    move: bool
    parent_id: str
    def __init__(self, knowledge_id: _Optional[str] = ..., directory_id: _Optional[str] = ..., name: _Optional[str] = ..., move: _Optional[bool] = ..., parent_id: _Optional[str] = ...) -> None: ...

class UpdateKnowledgeDirectoryResponse(_message.Message):
    __slots__ = ("directory",)
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    directory: KnowledgeDirectory
    def __init__(self, directory: _Optional[_Union[KnowledgeDirectory, _Mapping]] = ...) -> None: ...

class DeleteKnowledgeDirectoryRequest(_message.Message):
    __slots__ = ("knowledge_id", "directory_id", "move_files")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    MOVE_FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    directory_id: str
    move_files: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., directory_id: _Optional[str] = ..., move_files: _Optional[bool] = ...) -> None: ...

class DeleteKnowledgeDirectoryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClearKnowledgeDirectoriesRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class ClearKnowledgeDirectoriesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MoveKnowledgeFileRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_id", "directory_id")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_id: str
    directory_id: str
    def __init__(self, knowledge_id: _Optional[str] = ..., file_id: _Optional[str] = ..., directory_id: _Optional[str] = ...) -> None: ...

class MoveKnowledgeFileResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FilePlacement(_message.Message):
    __slots__ = ("file_id", "directory_id")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    directory_id: str
    def __init__(self, file_id: _Optional[str] = ..., directory_id: _Optional[str] = ...) -> None: ...

class PlaceKnowledgeFilesRequest(_message.Message):
    __slots__ = ("knowledge_id", "placements", "check_only")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    PLACEMENTS_FIELD_NUMBER: _ClassVar[int]
    CHECK_ONLY_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    placements: _containers.RepeatedCompositeFieldContainer[FilePlacement]
    check_only: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., placements: _Optional[_Iterable[_Union[FilePlacement, _Mapping]]] = ..., check_only: _Optional[bool] = ...) -> None: ...

class PlaceKnowledgeFilesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetKnowledgeFileDirectoriesRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_ids")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_IDS_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, knowledge_id: _Optional[str] = ..., file_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetKnowledgeFileDirectoriesResponse(_message.Message):
    __slots__ = ("file_directories", "directory_paths")
    class FileDirectoriesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class DirectoryPathsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FILE_DIRECTORIES_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_PATHS_FIELD_NUMBER: _ClassVar[int]
    file_directories: _containers.ScalarMap[str, str]
    directory_paths: _containers.ScalarMap[str, str]
    def __init__(self, file_directories: _Optional[_Mapping[str, str]] = ..., directory_paths: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListKnowledgeFolderRequest(_message.Message):
    __slots__ = ("knowledge_id", "directory_id", "page", "page_size", "include_content")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    directory_id: str
    page: int
    page_size: int
    include_content: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., directory_id: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., include_content: _Optional[bool] = ...) -> None: ...

class ListKnowledgeFolderResponse(_message.Message):
    __slots__ = ("files", "total", "owners", "directories", "breadcrumbs", "path")
    class OwnersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _ingest_pb2.UserRef
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_ingest_pb2.UserRef, _Mapping]] = ...) -> None: ...
    FILES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    DIRECTORIES_FIELD_NUMBER: _ClassVar[int]
    BREADCRUMBS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.File]
    total: int
    owners: _containers.MessageMap[str, _ingest_pb2.UserRef]
    directories: _containers.RepeatedCompositeFieldContainer[KnowledgeDirectory]
    breadcrumbs: _containers.RepeatedCompositeFieldContainer[KnowledgeDirectory]
    path: str
    def __init__(self, files: _Optional[_Iterable[_Union[_ingest_pb2.File, _Mapping]]] = ..., total: _Optional[int] = ..., owners: _Optional[_Mapping[str, _ingest_pb2.UserRef]] = ..., directories: _Optional[_Iterable[_Union[KnowledgeDirectory, _Mapping]]] = ..., breadcrumbs: _Optional[_Iterable[_Union[KnowledgeDirectory, _Mapping]]] = ..., path: _Optional[str] = ...) -> None: ...

class DiffKnowledgeSyncRequest(_message.Message):
    __slots__ = ("knowledge_id", "filenames", "paths", "checksums", "sizes")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAMES_FIELD_NUMBER: _ClassVar[int]
    PATHS_FIELD_NUMBER: _ClassVar[int]
    CHECKSUMS_FIELD_NUMBER: _ClassVar[int]
    SIZES_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    filenames: _containers.RepeatedScalarFieldContainer[str]
    paths: _containers.RepeatedScalarFieldContainer[str]
    checksums: _containers.RepeatedScalarFieldContainer[str]
    sizes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, knowledge_id: _Optional[str] = ..., filenames: _Optional[_Iterable[str]] = ..., paths: _Optional[_Iterable[str]] = ..., checksums: _Optional[_Iterable[str]] = ..., sizes: _Optional[_Iterable[int]] = ...) -> None: ...

class SyncAddedFile(_message.Message):
    __slots__ = ("filename", "path")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    filename: str
    path: str
    def __init__(self, filename: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class SyncModifiedFile(_message.Message):
    __slots__ = ("filename", "path", "stale_file_id")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    STALE_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    filename: str
    path: str
    stale_file_id: str
    def __init__(self, filename: _Optional[str] = ..., path: _Optional[str] = ..., stale_file_id: _Optional[str] = ...) -> None: ...

class SyncDeletedFile(_message.Message):
    __slots__ = ("file_id", "filename")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    filename: str
    def __init__(self, file_id: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class DiffKnowledgeSyncResponse(_message.Message):
    __slots__ = ("added", "modified", "deleted", "mkdir", "rmdir", "unmodified_count", "directory_map")
    class DirectoryMapEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ADDED_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    MKDIR_FIELD_NUMBER: _ClassVar[int]
    RMDIR_FIELD_NUMBER: _ClassVar[int]
    UNMODIFIED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_MAP_FIELD_NUMBER: _ClassVar[int]
    added: _containers.RepeatedCompositeFieldContainer[SyncAddedFile]
    modified: _containers.RepeatedCompositeFieldContainer[SyncModifiedFile]
    deleted: _containers.RepeatedCompositeFieldContainer[SyncDeletedFile]
    mkdir: _containers.RepeatedScalarFieldContainer[str]
    rmdir: _containers.RepeatedScalarFieldContainer[str]
    unmodified_count: int
    directory_map: _containers.ScalarMap[str, str]
    def __init__(self, added: _Optional[_Iterable[_Union[SyncAddedFile, _Mapping]]] = ..., modified: _Optional[_Iterable[_Union[SyncModifiedFile, _Mapping]]] = ..., deleted: _Optional[_Iterable[_Union[SyncDeletedFile, _Mapping]]] = ..., mkdir: _Optional[_Iterable[str]] = ..., rmdir: _Optional[_Iterable[str]] = ..., unmodified_count: _Optional[int] = ..., directory_map: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CleanupKnowledgeSyncRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_ids", "directory_ids")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_IDS_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_IDS_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_ids: _containers.RepeatedScalarFieldContainer[str]
    directory_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, knowledge_id: _Optional[str] = ..., file_ids: _Optional[_Iterable[str]] = ..., directory_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CleanupKnowledgeSyncResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
