from webui.ingest.v1 import ingest_pb2 as _ingest_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UrlKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URL_KIND_UNSPECIFIED: _ClassVar[UrlKind]
    URL_KIND_WEB: _ClassVar[UrlKind]
    URL_KIND_FILE: _ClassVar[UrlKind]
    URL_KIND_IMAGE: _ClassVar[UrlKind]
URL_KIND_UNSPECIFIED: UrlKind
URL_KIND_WEB: UrlKind
URL_KIND_FILE: UrlKind
URL_KIND_IMAGE: UrlKind

class ProcessTextRequest(_message.Message):
    __slots__ = ("name", "content", "collection_name")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    content: str
    collection_name: str
    def __init__(self, name: _Optional[str] = ..., content: _Optional[str] = ..., collection_name: _Optional[str] = ...) -> None: ...

class ProcessTextResponse(_message.Message):
    __slots__ = ("collection_name",)
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    collection_name: str
    def __init__(self, collection_name: _Optional[str] = ...) -> None: ...

class BatchFile(_message.Message):
    __slots__ = ("file_id", "content")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    content: str
    def __init__(self, file_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class ProcessFilesBatchRequest(_message.Message):
    __slots__ = ("files", "collection_name")
    FILES_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[BatchFile]
    collection_name: str
    def __init__(self, files: _Optional[_Iterable[_Union[BatchFile, _Mapping]]] = ..., collection_name: _Optional[str] = ...) -> None: ...

class BatchResult(_message.Message):
    __slots__ = ("file_id", "error")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    error: str
    def __init__(self, file_id: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class ProcessFilesBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchResult, _Mapping]]] = ...) -> None: ...

class ProcessWebRequest(_message.Message):
    __slots__ = ("url", "collection_name", "skip_processing")
    URL_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    SKIP_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    url: str
    collection_name: str
    skip_processing: bool
    def __init__(self, url: _Optional[str] = ..., collection_name: _Optional[str] = ..., skip_processing: _Optional[bool] = ...) -> None: ...

class ProcessWebResponse(_message.Message):
    __slots__ = ("collection_name", "content", "url")
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    collection_name: str
    content: str
    url: str
    def __init__(self, collection_name: _Optional[str] = ..., content: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class ProcessUrlRequest(_message.Message):
    __slots__ = ("url", "collection_name", "skip_processing")
    URL_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    SKIP_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    url: str
    collection_name: str
    skip_processing: bool
    def __init__(self, url: _Optional[str] = ..., collection_name: _Optional[str] = ..., skip_processing: _Optional[bool] = ...) -> None: ...

class ProcessUrlResponse(_message.Message):
    __slots__ = ("kind", "name", "url", "collection_name", "content", "file")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    kind: UrlKind
    name: str
    url: str
    collection_name: str
    content: str
    file: _ingest_pb2.File
    def __init__(self, kind: _Optional[_Union[UrlKind, str]] = ..., name: _Optional[str] = ..., url: _Optional[str] = ..., collection_name: _Optional[str] = ..., content: _Optional[str] = ..., file: _Optional[_Union[_ingest_pb2.File, _Mapping]] = ...) -> None: ...
