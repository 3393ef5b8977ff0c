from webui.ingest.v1 import ingest_pb2 as _ingest_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchFilesRequest(_message.Message):
    __slots__ = ("pattern", "include_content", "skip", "limit", "own_only")
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    SKIP_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OWN_ONLY_FIELD_NUMBER: _ClassVar[int]
    pattern: str
    include_content: bool
    skip: int
    limit: int
    own_only: bool
    def __init__(self, pattern: _Optional[str] = ..., include_content: _Optional[bool] = ..., skip: _Optional[int] = ..., limit: _Optional[int] = ..., own_only: _Optional[bool] = ...) -> None: ...

class SearchFilesResponse(_message.Message):
    __slots__ = ("files",)
    FILES_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.File]
    def __init__(self, files: _Optional[_Iterable[_Union[_ingest_pb2.File, _Mapping]]] = ...) -> None: ...

class CountFilesRequest(_message.Message):
    __slots__ = ("own_only",)
    OWN_ONLY_FIELD_NUMBER: _ClassVar[int]
    own_only: bool
    def __init__(self, own_only: _Optional[bool] = ...) -> None: ...

class CountFilesResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class RenameFileRequest(_message.Message):
    __slots__ = ("file_id", "filename")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    filename: str
    def __init__(self, file_id: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class RenameFileResponse(_message.Message):
    __slots__ = ("file",)
    FILE_FIELD_NUMBER: _ClassVar[int]
    file: _ingest_pb2.File
    def __init__(self, file: _Optional[_Union[_ingest_pb2.File, _Mapping]] = ...) -> None: ...

class UpdateFileContentRequest(_message.Message):
    __slots__ = ("file_id", "content")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    content: str
    def __init__(self, file_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class UpdateFileContentResponse(_message.Message):
    __slots__ = ("content",)
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: str
    def __init__(self, content: _Optional[str] = ...) -> None: ...

class DeleteAllFilesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteAllFilesResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class ProcessFileRequest(_message.Message):
    __slots__ = ("file_id", "content", "has_content", "collection_name")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    HAS_CONTENT_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    content: str
    has_content: bool
    collection_name: str
    def __init__(self, file_id: _Optional[str] = ..., content: _Optional[str] = ..., has_content: _Optional[bool] = ..., collection_name: _Optional[str] = ...) -> None: ...

class ProcessFileResponse(_message.Message):
    __slots__ = ("collection_name", "filename", "content")
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    collection_name: str
    filename: str
    content: str
    def __init__(self, collection_name: _Optional[str] = ..., filename: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...
