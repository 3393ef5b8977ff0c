"""Retrieval processing: texts, request-carried file contents and fetched pages into collections.

Texts land in a collection as text documents (``text_repository``) next to its files, chunked and
embedded the way files are (identical chunk text is embedded once, ever). A name that is neither a
file's nor a knowledge base's becomes a free-standing text collection owned by its first writer.
"""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from services.common import access, errors, messages
from services.common.collection_names import file_id_of
from services.common.identity import Identity
from services.ingest.access import can_write_knowledge, owns_file
from services.ingest.chunk_vectors import ChunkVectors
from services.ingest.chunking import split_pages
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import Embedder
from services.ingest.extract import ExtractionError, Page, document_text, extract
from services.ingest.files_core import ClientMetadata, FilesCore, UploadHeader
from services.ingest.models import CollectionChange, FileRecord, StoredChunk
from services.ingest.processing import ChunkingParams
from services.ingest.repository import IngestRepository
from services.ingest.text_repository import TextDocument, TextRepository
from services.ingest.web_fetch import Download, FetchedPage, FetchFailed, TooLarge, UrlRefused, WebFetcher

log = logging.getLogger(__name__)

# Open WebUI names a page's collection by the first 63 hex digits of sha256(url) (Chroma's limit).
_URL_COLLECTION_CHARS = 63
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_YOUTUBE_HOSTS = ("youtube.com", "youtu.be", "youtube-nocookie.com")
YOUTUBE_UNAVAILABLE = "YouTube transcripts are not available on this server."


@dataclass(frozen=True, slots=True)
class BatchFile:
    """One ``FileModel`` of a ``/process/files/batch`` body: its id and the content it carries."""

    id: str
    content: str


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    file_id: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WebPage:
    url: str
    content: str
    collection_name: str | None


@dataclass(slots=True)
class UrlOutcome:
    kind: str
    name: str
    url: str
    collection_name: str | None = None
    content: str | None = None
    file: FileRecord | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetrievalLimits:
    # Characters of one text (the gateway's body limit bounds it first).
    max_text_chars: int = 5_000_000
    # Files one batch may carry.
    max_batch_files: int = 1000
    # Bytes a non-HTML download may have (RAG_FILE_MAX_SIZE).
    max_download_bytes: int = 100 * 1024 * 1024


def url_collection(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:_URL_COLLECTION_CHARS]


def html_text(body: bytes, charset: str | None) -> str:
    """The visible text of one page (scripts, styles and templates dropped), a line per block."""
    # Here, not at module level: bs4 costs every ingest process 5 MB at start.
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser", from_encoding=charset)
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def _is_youtube(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in _YOUTUBE_HOSTS)


def _unreadable(url: str, reason: str | None = None) -> errors.InvalidArgument:
    return errors.InvalidArgument(messages.error_with(f"Could not read content from {url}", reason))


class RetrievalProcessingCore:
    def __init__(
        self,
        repo: IngestRepository,
        texts: TextRepository,
        embedder: Embedder,
        indexes: CollectionIndexes,
        model_thread: DaemonThread,
        chunking: ChunkingParams,
        fetcher: WebFetcher,
        files: FilesCore,
        limits: RetrievalLimits | None = None,
    ) -> None:
        self._repo = repo
        self._texts = texts
        # Only texts with no stored vector are embedded (texts are often added again).
        self._vectors = ChunkVectors(repo.known_embeddings, embedder, model_thread, chunking.embed_slice)
        self._indexes = indexes
        self._chunking = chunking
        self._fetcher = fetcher
        self._files = files
        self._limits = limits or RetrievalLimits()

    # --- access ----------------------------------------------------------------------------------

    async def require_writable(self, caller: Identity, name: str) -> None:
        """ACCESS_PROHIBITED unless the caller may add texts to collection ``name``; a name nobody
        holds becomes the caller's own text collection."""
        if not name or len(name) > 512 or "\x00" in name:
            raise errors.InvalidArgument("collection_name is not a valid collection name")
        if file_id_of(name) is not None:
            # A file's own collection holds that file's chunks only.
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
        knowledge = await self._repo.get_knowledge(name)
        if knowledge is not None:
            if can_write_knowledge(caller, knowledge):
                return
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
        if not access.key_allows_knowledge(caller, name):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
        collection = await self._texts.get(name)
        if collection is None:
            async with self._repo.pool.acquire() as conn:
                await self._repo.remember_user(conn, caller)
            collection = await self._texts.create(name, caller.user_id)
        if not access.can_write(caller, collection.user_id, collection.access_grants):
            raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)

    # --- texts -----------------------------------------------------------------------------------

    def _document(self, name: str, content: str, metadata: dict) -> TextDocument:
        pieces = split_pages(
            [Page(content, {})],
            chunk_size=self._chunking.chunk_size,
            chunk_overlap=self._chunking.chunk_overlap,
            markdown_headers=self._chunking.markdown_headers,
        )
        if not pieces:
            raise errors.InvalidArgument(messages.EMPTY_CONTENT)
        chunks = [
            StoredChunk(seq, piece.text, hashlib.sha256(piece.text.encode()).digest(), dict(metadata))
            for seq, piece in enumerate(pieces)
        ]
        return TextDocument(
            name, hashlib.sha256(content.encode()).hexdigest(), chunks, content, dict(metadata)
        )

    async def _store(self, caller: Identity, collection: str, documents: Sequence[TextDocument]) -> None:
        if not documents:
            return
        chunks = [chunk for document in documents for chunk in document.chunks]
        vectors = await self._vectors.missing(chunks)
        added = await self._vectors.write(
            chunks, vectors, lambda: self._texts.add(collection, caller.user_id, documents, vectors)
        )
        await self._indexes.changed(
            [CollectionChange(collection, version, "add", member) for member, version in added]
        )

    def _check_text(self, content: str) -> None:
        if len(content) > self._limits.max_text_chars:
            raise errors.PayloadTooLarge(f"The text is longer than {self._limits.max_text_chars} characters")
        if not content.strip():
            raise errors.InvalidArgument(messages.EMPTY_CONTENT)

    async def process_text(
        self, caller: Identity, name: str, content: str, collection_name: str | None
    ) -> str:
        """The collection the text is in (``sha256(content)`` unless named); the same text again
        is a no-op."""
        self._check_text(content)
        collection = collection_name or hashlib.sha256(content.encode()).hexdigest()
        await self.require_writable(caller, collection)
        document = await asyncio.to_thread(
            self._document, name, content, {"name": name, "created_by": caller.user_id}
        )
        await self._store(caller, collection, [document])
        return collection

    async def process_files_batch(
        self, caller: Identity, files: Sequence[BatchFile], collection_name: str
    ) -> list[BatchOutcome]:
        """Embeds the content each entry carries; per-file errors, one write for the rest."""
        if len(files) > self._limits.max_batch_files:
            raise errors.InvalidArgument(f"A batch may hold at most {self._limits.max_batch_files} files")
        await self.require_writable(caller, collection_name)
        records = await self._repo.get_files([f.id for f in files if "\x00" not in f.id])
        outcomes: dict[int, BatchOutcome] = {}
        documents: dict[str, tuple[int, TextDocument]] = {}
        for position, entry in enumerate(files):
            record = records.get(entry.id)
            if record is None:
                outcomes[position] = BatchOutcome(entry.id, "File not found")
                continue
            if not owns_file(caller, record):
                outcomes[position] = BatchOutcome(entry.id, "Permission denied: not file owner")
                continue
            metadata = {
                "name": record.filename,
                "created_by": record.user_id,
                "file_id": record.id,
                "source": record.filename,
            }
            try:
                self._check_text(entry.content)
                document = await asyncio.to_thread(self._document, record.filename, entry.content, metadata)
            except errors.ServiceError as error:
                outcomes[position] = BatchOutcome(entry.id, error.detail)
                continue
            if document.content_hash in documents:
                outcomes[position] = BatchOutcome(entry.id, messages.DUPLICATE_CONTENT)
                continue
            documents[document.content_hash] = (position, document)
        held = await self._texts.known_hashes(collection_name, list(documents))
        for content_hash in held:
            position, _ = documents.pop(content_hash)
            outcomes[position] = BatchOutcome(files[position].id, messages.DUPLICATE_CONTENT)
        await self._store(caller, collection_name, [document for _, document in documents.values()])
        for position, _ in documents.values():
            outcomes[position] = BatchOutcome(files[position].id)
        return [outcomes[i] for i in range(len(files))]

    # --- web -------------------------------------------------------------------------------------

    async def _fetch(self, url: str) -> FetchedPage:
        async with self._opened(url) as download:
            body = await download.read(self._fetcher.policy.max_bytes)
            return FetchedPage(download.url, download.content_type, download.charset, body)

    def _page_text(self, page: FetchedPage) -> str:
        ctype = page.content_type.lower()
        if ctype in _HTML_TYPES or (ctype == "application/octet-stream" and page.body.lstrip()[:1] == b"<"):
            return html_text(page.body, page.charset)
        if ctype.startswith("text/"):
            return page.body.decode(page.charset or "utf-8", errors="replace")
        name = page.url.rsplit("/", 1)[-1].split("?", 1)[0] or "download"
        return document_text(extract(page.body, name, ctype, self._chunking.extract_limits))

    async def process_web(
        self, caller: Identity, url: str, collection_name: str | None, process: bool = True
    ) -> WebPage:
        if _is_youtube(url):
            raise errors.InvalidArgument(YOUTUBE_UNAVAILABLE)
        page = await self._fetch(url)
        try:
            content = await asyncio.to_thread(self._page_text, page)
        except ExtractionError as error:
            raise _unreadable(url, error.detail) from None
        if not content.strip():
            raise _unreadable(url, "the page has no text")
        if not process:
            return WebPage(url, content, None)
        collection = collection_name or url_collection(url)
        await self.require_writable(caller, collection)
        document = await asyncio.to_thread(
            self._document, url, content, {"name": url, "source": url, "created_by": caller.user_id}
        )
        await self._store(caller, collection, [document])
        return WebPage(url, content, collection)

    async def process_url(
        self, caller: Identity, url: str, collection_name: str | None, process: bool = True
    ) -> UrlOutcome:
        """HTML as ``process_web``; images stored as files unprocessed; anything else streamed into
        a file (never held whole) and processed by the workers as any upload."""
        if _is_youtube(url):
            raise errors.InvalidArgument(YOUTUBE_UNAVAILABLE)
        page: FetchedPage | None = None
        record: FileRecord | None = None
        kind = "file"
        async with self._opened(url) as download:
            ctype = download.content_type.lower()
            name = download.url.rsplit("/", 1)[-1].split("?", 1)[0] or url
            if ctype in _HTML_TYPES:
                body = await download.read(self._fetcher.policy.max_bytes)
                page = FetchedPage(download.url, download.content_type, download.charset, body)
            else:
                chunks = download.chunks(self._limits.max_download_bytes)
                first = await anext(chunks, b"")
                if ctype.startswith("image/"):
                    kind = "image"
                    if not _looks_like_image(first):
                        raise errors.InvalidArgument(messages.error_with("Invalid image content"))

                async def items() -> AsyncIterator[bytes | ClientMetadata]:
                    yield ClientMetadata(_source_meta(url))
                    yield first
                    async for piece in chunks:
                        yield piece

                process_file = process and kind == "file"
                header = UploadHeader(caller, name, ctype or "application/octet-stream", process_file, False)
                record = await self._files.upload(header, items())
        if page is None:
            return UrlOutcome(kind, name, url, None, None, record)
        content = await asyncio.to_thread(self._page_text, page)
        if not content.strip():
            raise _unreadable(url, "the page has no text")
        collection = None
        if process:
            collection = collection_name or url_collection(url)
            await self.require_writable(caller, collection)
            metadata = {"name": url, "source": url, "created_by": caller.user_id}
            document = await asyncio.to_thread(self._document, url, content, metadata)
            await self._store(caller, collection, [document])
        return UrlOutcome("web", url, url, collection, content)

    @contextlib.asynccontextmanager
    async def _opened(self, url: str) -> AsyncIterator[Download]:
        """The fetcher's open response, its failures as the service's errors."""
        try:
            async with self._fetcher.open(url) as download:
                yield download
        except UrlRefused as refused:
            log.info("web fetch refused: %s", refused.reason)
            raise _unreadable(url, refused.reason) from None
        except TooLarge as too_large:
            raise errors.PayloadTooLarge(
                messages.error_with(f"Could not read content from {url}", too_large.reason)
            ) from None
        except FetchFailed as failed:
            log.info("web fetch failed: %s", failed.reason)
            raise _unreadable(url, failed.reason) from None


def _source_meta(url: str) -> str:
    import orjson

    return orjson.dumps({"source_url": url}).decode()


def _looks_like_image(body: bytes) -> bool:
    signatures = (
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"RIFF",
        b"BM",
        b"<svg",
        b"<?xml",
    )
    return body.startswith(signatures) or b"<svg" in body[:512]
