from webui.ingest.v1 import ingest_pb2 as _ingest_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KnowledgeView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KNOWLEDGE_VIEW_UNSPECIFIED: _ClassVar[KnowledgeView]
    KNOWLEDGE_VIEW_CREATED: _ClassVar[KnowledgeView]
    KNOWLEDGE_VIEW_SHARED: _ClassVar[KnowledgeView]

class KnowledgeSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KNOWLEDGE_SOURCE_UNSPECIFIED: _ClassVar[KnowledgeSource]
    KNOWLEDGE_SOURCE_LOCAL: _ClassVar[KnowledgeSource]
    KNOWLEDGE_SOURCE_EXTERNAL: _ClassVar[KnowledgeSource]

class KnowledgeOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KNOWLEDGE_ORDER_UNSPECIFIED: _ClassVar[KnowledgeOrder]
    KNOWLEDGE_ORDER_NAME: _ClassVar[KnowledgeOrder]
    KNOWLEDGE_ORDER_CREATED_AT: _ClassVar[KnowledgeOrder]
    KNOWLEDGE_ORDER_UPDATED_AT: _ClassVar[KnowledgeOrder]
KNOWLEDGE_VIEW_UNSPECIFIED: KnowledgeView
KNOWLEDGE_VIEW_CREATED: KnowledgeView
KNOWLEDGE_VIEW_SHARED: KnowledgeView
KNOWLEDGE_SOURCE_UNSPECIFIED: KnowledgeSource
KNOWLEDGE_SOURCE_LOCAL: KnowledgeSource
KNOWLEDGE_SOURCE_EXTERNAL: KnowledgeSource
KNOWLEDGE_ORDER_UNSPECIFIED: KnowledgeOrder
KNOWLEDGE_ORDER_NAME: KnowledgeOrder
KNOWLEDGE_ORDER_CREATED_AT: KnowledgeOrder
KNOWLEDGE_ORDER_UPDATED_AT: KnowledgeOrder

class SearchKnowledgeRequest(_message.Message):
    __slots__ = ("query", "view", "source", "order", "ascending", "page", "page_size")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    query: str
    view: KnowledgeView
    source: KnowledgeSource
    order: KnowledgeOrder
    ascending: bool
    page: int
    page_size: int
    def __init__(self, query: _Optional[str] = ..., view: _Optional[_Union[KnowledgeView, str]] = ..., source: _Optional[_Union[KnowledgeSource, str]] = ..., order: _Optional[_Union[KnowledgeOrder, str]] = ..., ascending: _Optional[bool] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class SearchKnowledgeResponse(_message.Message):
    __slots__ = ("items", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.Knowledge]
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[_ingest_pb2.Knowledge, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class SearchKnowledgeFilesRequest(_message.Message):
    __slots__ = ("query", "include_content", "page", "page_size")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    query: str
    include_content: bool
    page: int
    page_size: int
    def __init__(self, query: _Optional[str] = ..., include_content: _Optional[bool] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class KnowledgeFileHit(_message.Message):
    __slots__ = ("file", "directory_id", "directory_path", "collection")
    FILE_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_PATH_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    file: _ingest_pb2.File
    directory_id: str
    directory_path: str
    collection: _ingest_pb2.Knowledge
    def __init__(self, file: _Optional[_Union[_ingest_pb2.File, _Mapping]] = ..., directory_id: _Optional[str] = ..., directory_path: _Optional[str] = ..., collection: _Optional[_Union[_ingest_pb2.Knowledge, _Mapping]] = ...) -> None: ...

class SearchKnowledgeFilesResponse(_message.Message):
    __slots__ = ("items", "total", "owners")
    class OwnersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _ingest_pb2.UserRef
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_ingest_pb2.UserRef, _Mapping]] = ...) -> None: ...
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[KnowledgeFileHit]
    total: int
    owners: _containers.MessageMap[str, _ingest_pb2.UserRef]
    def __init__(self, items: _Optional[_Iterable[_Union[KnowledgeFileHit, _Mapping]]] = ..., total: _Optional[int] = ..., owners: _Optional[_Mapping[str, _ingest_pb2.UserRef]] = ...) -> None: ...

class ListPendingFilesRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class ListPendingFilesResponse(_message.Message):
    __slots__ = ("files",)
    FILES_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.File]
    def __init__(self, files: _Optional[_Iterable[_Union[_ingest_pb2.File, _Mapping]]] = ...) -> None: ...

class WatchPendingFilesRequest(_message.Message):
    __slots__ = ("knowledge_id", "max_seconds")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_SECONDS_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    max_seconds: int
    def __init__(self, knowledge_id: _Optional[str] = ..., max_seconds: _Optional[int] = ...) -> None: ...

class WatchPendingFilesResponse(_message.Message):
    __slots__ = ("files",)
    FILES_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.File]
    def __init__(self, files: _Optional[_Iterable[_Union[_ingest_pb2.File, _Mapping]]] = ...) -> None: ...

class ExportKnowledgeRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class ExportHead(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ExportKnowledgeResponse(_message.Message):
    __slots__ = ("head", "entry_name", "text")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    ENTRY_NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    head: ExportHead
    entry_name: str
    text: bytes
    def __init__(self, head: _Optional[_Union[ExportHead, _Mapping]] = ..., entry_name: _Optional[str] = ..., text: _Optional[bytes] = ...) -> None: ...

class ReindexKnowledgeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReindexKnowledgeResponse(_message.Message):
    __slots__ = ("collections", "files")
    COLLECTIONS_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    collections: int
    files: int
    def __init__(self, collections: _Optional[int] = ..., files: _Optional[int] = ...) -> None: ...

class ReindexKnowledgeMetadataRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReindexKnowledgeMetadataResponse(_message.Message):
    __slots__ = ("total", "success")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    total: int
    success: int
    def __init__(self, total: _Optional[int] = ..., success: _Optional[int] = ...) -> None: ...
