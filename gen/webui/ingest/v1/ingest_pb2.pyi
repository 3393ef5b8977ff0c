from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FileStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILE_STATUS_UNSPECIFIED: _ClassVar[FileStatus]
    FILE_STATUS_PENDING: _ClassVar[FileStatus]
    FILE_STATUS_PROCESSING: _ClassVar[FileStatus]
    FILE_STATUS_COMPLETED: _ClassVar[FileStatus]
    FILE_STATUS_FAILED: _ClassVar[FileStatus]
    FILE_STATUS_CANCELLED: _ClassVar[FileStatus]
FILE_STATUS_UNSPECIFIED: FileStatus
FILE_STATUS_PENDING: FileStatus
FILE_STATUS_PROCESSING: FileStatus
FILE_STATUS_COMPLETED: FileStatus
FILE_STATUS_FAILED: FileStatus
FILE_STATUS_CANCELLED: FileStatus

class File(_message.Message):
    __slots__ = ("id", "user_id", "hash", "filename", "status", "error", "data_json", "meta_json", "path", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    hash: str
    filename: str
    status: FileStatus
    error: str
    data_json: bytes
    meta_json: bytes
    path: str
    created_at: int
    updated_at: int
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., hash: _Optional[str] = ..., filename: _Optional[str] = ..., status: _Optional[_Union[FileStatus, str]] = ..., error: _Optional[str] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., path: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class UserRef(_message.Message):
    __slots__ = ("id", "name", "role", "email")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    role: str
    email: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class Knowledge(_message.Message):
    __slots__ = ("id", "user_id", "name", "description", "meta_json", "access_grants_json", "created_at", "updated_at", "user", "file_count", "write_access")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    FILE_COUNT_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    name: str
    description: str
    meta_json: bytes
    access_grants_json: bytes
    created_at: int
    updated_at: int
    user: UserRef
    file_count: int
    write_access: bool
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., meta_json: _Optional[bytes] = ..., access_grants_json: _Optional[bytes] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., user: _Optional[_Union[UserRef, _Mapping]] = ..., file_count: _Optional[int] = ..., write_access: _Optional[bool] = ...) -> None: ...

class UploadHeader(_message.Message):
    __slots__ = ("filename", "content_type", "process", "wait_for_processing", "batch_id", "callback_url")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROCESS_FIELD_NUMBER: _ClassVar[int]
    WAIT_FOR_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_URL_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    process: bool
    wait_for_processing: bool
    batch_id: str
    callback_url: str
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., process: _Optional[bool] = ..., wait_for_processing: _Optional[bool] = ..., batch_id: _Optional[str] = ..., callback_url: _Optional[str] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ("header", "chunk", "metadata_json")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    header: UploadHeader
    chunk: bytes
    metadata_json: str
    def __init__(self, header: _Optional[_Union[UploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ..., metadata_json: _Optional[str] = ...) -> None: ...

class UploadFileResponse(_message.Message):
    __slots__ = ("file",)
    FILE_FIELD_NUMBER: _ClassVar[int]
    file: File
    def __init__(self, file: _Optional[_Union[File, _Mapping]] = ...) -> None: ...

class GetFileRequest(_message.Message):
    __slots__ = ("file_id", "include_content")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    include_content: bool
    def __init__(self, file_id: _Optional[str] = ..., include_content: _Optional[bool] = ...) -> None: ...

class GetFileResponse(_message.Message):
    __slots__ = ("file",)
    FILE_FIELD_NUMBER: _ClassVar[int]
    file: File
    def __init__(self, file: _Optional[_Union[File, _Mapping]] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("page", "page_size", "include_content")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    include_content: bool
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., include_content: _Optional[bool] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("files", "total")
    FILES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[File]
    total: int
    def __init__(self, files: _Optional[_Iterable[_Union[File, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class DeleteFileRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class DeleteFileResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFileContentRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class ContentHead(_message.Message):
    __slots__ = ("filename", "content_type", "size")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    size: int
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., size: _Optional[int] = ...) -> None: ...

class GetFileContentResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: ContentHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[ContentHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class WatchFileStatusRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class WatchFileStatusResponse(_message.Message):
    __slots__ = ("status", "error", "deleted")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    status: FileStatus
    error: str
    deleted: bool
    def __init__(self, status: _Optional[_Union[FileStatus, str]] = ..., error: _Optional[str] = ..., deleted: _Optional[bool] = ...) -> None: ...

class CreateKnowledgeRequest(_message.Message):
    __slots__ = ("name", "description", "access_grants_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    access_grants_json: bytes
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class CreateKnowledgeResponse(_message.Message):
    __slots__ = ("knowledge",)
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ...) -> None: ...

class ListKnowledgeRequest(_message.Message):
    __slots__ = ("page", "page_size")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListKnowledgeResponse(_message.Message):
    __slots__ = ("items", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Knowledge]
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[Knowledge, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetKnowledgeRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class GetKnowledgeResponse(_message.Message):
    __slots__ = ("knowledge",)
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ...) -> None: ...

class UpdateKnowledgeRequest(_message.Message):
    __slots__ = ("knowledge_id", "name", "description", "access_grants_json")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    name: str
    description: str
    access_grants_json: bytes
    def __init__(self, knowledge_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class UpdateKnowledgeResponse(_message.Message):
    __slots__ = ("knowledge", "files")
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    files: _containers.RepeatedCompositeFieldContainer[File]
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ..., files: _Optional[_Iterable[_Union[File, _Mapping]]] = ...) -> None: ...

class UpdateKnowledgeAccessRequest(_message.Message):
    __slots__ = ("knowledge_id", "access_grants_json")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    access_grants_json: bytes
    def __init__(self, knowledge_id: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class UpdateKnowledgeAccessResponse(_message.Message):
    __slots__ = ("knowledge", "files")
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    files: _containers.RepeatedCompositeFieldContainer[File]
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ..., files: _Optional[_Iterable[_Union[File, _Mapping]]] = ...) -> None: ...

class DeleteKnowledgeRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class DeleteKnowledgeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResetKnowledgeRequest(_message.Message):
    __slots__ = ("knowledge_id",)
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    def __init__(self, knowledge_id: _Optional[str] = ...) -> None: ...

class ResetKnowledgeResponse(_message.Message):
    __slots__ = ("knowledge",)
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ...) -> None: ...

class AddKnowledgeFilesRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_ids", "batch")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_IDS_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_ids: _containers.RepeatedScalarFieldContainer[str]
    batch: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., file_ids: _Optional[_Iterable[str]] = ..., batch: _Optional[bool] = ...) -> None: ...

class AddKnowledgeFilesResponse(_message.Message):
    __slots__ = ("knowledge", "files")
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    files: _containers.RepeatedCompositeFieldContainer[File]
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ..., files: _Optional[_Iterable[_Union[File, _Mapping]]] = ...) -> None: ...

class UpdateKnowledgeFileRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_id")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_id: str
    def __init__(self, knowledge_id: _Optional[str] = ..., file_id: _Optional[str] = ...) -> None: ...

class UpdateKnowledgeFileResponse(_message.Message):
    __slots__ = ("knowledge", "files")
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    files: _containers.RepeatedCompositeFieldContainer[File]
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ..., files: _Optional[_Iterable[_Union[File, _Mapping]]] = ...) -> None: ...

class RemoveKnowledgeFileRequest(_message.Message):
    __slots__ = ("knowledge_id", "file_id", "delete_file")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DELETE_FILE_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    file_id: str
    delete_file: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., file_id: _Optional[str] = ..., delete_file: _Optional[bool] = ...) -> None: ...

class RemoveKnowledgeFileResponse(_message.Message):
    __slots__ = ("knowledge", "files")
    KNOWLEDGE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    knowledge: Knowledge
    files: _containers.RepeatedCompositeFieldContainer[File]
    def __init__(self, knowledge: _Optional[_Union[Knowledge, _Mapping]] = ..., files: _Optional[_Iterable[_Union[File, _Mapping]]] = ...) -> None: ...

class ListKnowledgeFilesRequest(_message.Message):
    __slots__ = ("knowledge_id", "page", "page_size", "include_content")
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    knowledge_id: str
    page: int
    page_size: int
    include_content: bool
    def __init__(self, knowledge_id: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., include_content: _Optional[bool] = ...) -> None: ...

class ListKnowledgeFilesResponse(_message.Message):
    __slots__ = ("files", "total", "owners")
    class OwnersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: UserRef
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[UserRef, _Mapping]] = ...) -> None: ...
    FILES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[File]
    total: int
    owners: _containers.MessageMap[str, UserRef]
    def __init__(self, files: _Optional[_Iterable[_Union[File, _Mapping]]] = ..., total: _Optional[int] = ..., owners: _Optional[_Mapping[str, UserRef]] = ...) -> None: ...

class SearchRequest(_message.Message):
    __slots__ = ("collection_names", "queries", "k", "hybrid")
    COLLECTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    QUERIES_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    HYBRID_FIELD_NUMBER: _ClassVar[int]
    collection_names: _containers.RepeatedScalarFieldContainer[str]
    queries: _containers.RepeatedScalarFieldContainer[str]
    k: int
    hybrid: bool
    def __init__(self, collection_names: _Optional[_Iterable[str]] = ..., queries: _Optional[_Iterable[str]] = ..., k: _Optional[int] = ..., hybrid: _Optional[bool] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("collection_name", "text", "score", "metadata_json")
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    collection_name: str
    text: str
    score: float
    metadata_json: bytes
    def __init__(self, collection_name: _Optional[str] = ..., text: _Optional[str] = ..., score: _Optional[float] = ..., metadata_json: _Optional[bytes] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ...) -> None: ...

class ReadDocumentsRequest(_message.Message):
    __slots__ = ("collection_names",)
    COLLECTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    collection_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, collection_names: _Optional[_Iterable[str]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("collection_name", "text", "metadata_json")
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    collection_name: str
    text: str
    metadata_json: bytes
    def __init__(self, collection_name: _Optional[str] = ..., text: _Optional[str] = ..., metadata_json: _Optional[bytes] = ...) -> None: ...

class ReadDocumentsResponse(_message.Message):
    __slots__ = ("documents",)
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    def __init__(self, documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ...) -> None: ...
