"""Whole documents of collections the caller may read (Open WebUI's `"context": "full"`)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from services.common import errors
from services.common.collection_names import file_id_of
from services.common.identity import Identity
from services.ingest.models import FileRecord
from services.ingest.repository import IngestRepository
from services.ingest.shapes import chunk_metadata
from services.ingest.text_repository import text_documents

# Raises ACCESS_PROHIBITED for a collection the caller may not read (SearchCore.check_readable).
CheckReadable = Callable[[Identity, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Document:
    collection_name: str
    text: str
    metadata: dict


def document_metadata(record: FileRecord) -> dict:
    """The file-wide keys of its chunks' metadata, plus its size and the hash of its bytes."""
    metadata = chunk_metadata(record, {}, 0, record.hash or "")
    del metadata["start_index"]
    metadata["size"] = record.size
    metadata["file_hash"] = record.file_hash
    return metadata


class DocumentsCore:
    def __init__(self, repo: IngestRepository, check_readable: CheckReadable) -> None:
        self._repo = repo
        self._check_readable = check_readable

    async def read(self, caller: Identity, names: Sequence[str]) -> list[Document]:
        """One document per processed, non-empty file: a ``file-<id>`` collection's file, or each
        file of a knowledge collection in the order they were added."""
        names = list(dict.fromkeys(n for n in names if n))
        if not names:
            raise errors.InvalidArgument("collection_names must name at least one collection")
        for name in names:
            await self._check_readable(caller, name)
        wanted: list[tuple[str, list[str]]] = []
        for name in names:
            file_id = file_id_of(name)
            if file_id is not None:
                wanted.append((name, [file_id]))
            else:
                wanted.append((name, await self._repo.knowledge_file_ids(name)))
        records = await self._repo.completed_files(
            list(dict.fromkeys(file_id for _, ids in wanted for file_id in ids))
        )
        # Texts added to a collection (retrieval processing) follow its files.
        texts: dict[str, list[Document]] = {}
        for name, text, metadata in await text_documents(self._repo.pool, [n for n, _ in wanted]):
            texts.setdefault(name, []).append(Document(name, text, metadata))
        documents = []
        for name, file_ids in wanted:
            for file_id in file_ids:
                record = records.get(file_id)
                if record is not None and record.content:
                    documents.append(Document(name, record.content, document_metadata(record)))
            documents.extend(texts.get(name, []))
        return documents
