"""Vector search across collections the caller may read, merged the way Open WebUI merges."""

import asyncio
from collections.abc import Iterator, Sequence

import numpy as np

from services.common import errors, messages
from services.common.collection_names import file_id_of
from services.common.identity import Identity
from services.ingest.access import can_read_file, can_read_knowledge
from services.ingest.chunk_text_cache import ChunkTextCache
from services.ingest.collections import CollectionIndexes
from services.ingest.daemon_thread import URGENT, DaemonThread
from services.ingest.embedder import Embedder
from services.ingest.hybrid import Bm25Cache, fusion_weights, weighted_rrf
from services.ingest.models import SearchHit
from services.ingest.repository import IngestRepository
from services.ingest.text_repository import can_read_text_collection, text_collection


def relevance(inner_product: float) -> float:
    """Open WebUI's Chroma score, (2 - cosine distance) / 2, from a cosine similarity."""
    return (1.0 + inner_product) / 2.0


class SearchCore:
    def __init__(
        self,
        repo: IngestRepository,
        embedder: Embedder,
        indexes: CollectionIndexes,
        default_k: int,
        model_thread: DaemonThread,
        bm25: Bm25Cache,
        bm25_weight: float = 0.5,
        texts: ChunkTextCache | None = None,
    ) -> None:
        # Hits' texts from memory when held (None: always from Postgres).
        self._texts = texts
        self._thread = model_thread
        self._bm25 = bm25
        self._weights = fusion_weights(bm25_weight)
        self._repo = repo
        self._embedder = embedder
        self._indexes = indexes
        self._default_k = default_k

    async def check_readable(self, caller: Identity, name: str) -> None:
        """ACCESS_PROHIBITED (403) for a collection that does not exist or is not the caller's to
        read: the two are not told apart."""
        file_id = file_id_of(name)
        if file_id is not None:
            record = await self._repo.get_file(file_id)
            if record is not None and can_read_file(
                caller, record, await self._repo.knowledge_of_file(file_id)
            ):
                return
        else:
            knowledge = await self._repo.get_knowledge(name)
            if knowledge is not None and can_read_knowledge(caller, knowledge):
                return
            if knowledge is None:
                texts = await text_collection(self._repo.pool, name)
                if texts is not None and can_read_text_collection(caller, texts):
                    return
        raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)

    async def search(
        self, caller: Identity, names: Sequence[str], queries: Sequence[str], k: int, hybrid: bool = False
    ) -> list[SearchHit]:
        names = list(dict.fromkeys(n for n in names if n))
        queries = [q for q in queries if q.strip()]
        if not names:
            raise errors.InvalidArgument("collection_names must name at least one collection")
        if not queries:
            raise errors.InvalidArgument("query must not be empty")
        # The query embedding (the bulk of a search) runs while access is checked and each
        # collection's copy is brought up to date; on a refusal its result is simply dropped.
        embedding = asyncio.ensure_future(
            self._thread.run(self._embedder.embed_queries, queries, priority=URGENT)
        )

        async def readable_copy(name: str) -> object:
            await self.check_readable(caller, name)
            return await self._indexes.current(name)

        try:
            copies = await asyncio.gather(*(readable_copy(name) for name in names))
        except BaseException:
            embedding.cancel()
            raise
        k = k if k > 0 else self._default_k
        self._warm(names, copies)
        vectors = await embedding
        if hybrid:
            return await self._hybrid(names, copies, queries, vectors, k)
        found: list[tuple[str, int, float]] = []
        for name, copy in zip(names, copies, strict=True):
            for per_query in await self._indexes.search_copy(copy, vectors, k):
                found.extend((name, chunk_id, score) for chunk_id, score in per_query)
        found.sort(key=lambda item: item[2], reverse=True)
        chunks = await self._chunks([chunk_id for _, chunk_id, _ in found])
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for name, chunk_id, score in found:
            if chunk_id not in chunks:
                continue
            text, metadata = chunks[chunk_id]
            if text in seen:
                continue
            seen.add(text)
            hits.append(SearchHit(name, text, relevance(score), metadata))
            if len(hits) == k:
                break
        return hits

    def _warm(self, names: list[str], copies: list) -> None:
        """Has the texts of the collections' copies read into memory (in the background, once per
        copy version)."""
        if self._texts is None:
            return
        for name, copy in zip(names, copies, strict=True):
            if copy is not None:
                self._texts.warm(name, copy.version, _chunk_ids(copy.files), copy.index.size)

    async def _chunks(self, chunk_ids: list[int]) -> dict[int, tuple[str, dict]]:
        if self._texts is None:
            return await self._repo.chunks(chunk_ids)
        return await self._texts.chunks(chunk_ids)

    async def _hybrid(
        self, names: list[str], copies: list, queries: list[str], vectors: np.ndarray, k: int
    ) -> list[SearchHit]:
        """Open WebUI's hybrid search without a reranking model: per collection and query, the
        best ``k`` by BM25 and the best ``k`` by vector, fused by weighted reciprocal rank (texts
        as keys, as langchain's EnsembleRetriever); then merged, identical texts once, best ``k``."""
        bm25_weight, vector_weight = self._weights
        versions = await self._repo.collection_versions(names)
        # (collection, BM25 chunk ids, vector chunk ids) per collection and query.
        ranked: list[tuple[str, list[int], list[int]]] = []
        for name, copy in zip(names, copies, strict=True):
            per_query: list[list[tuple[int, float]]] = [[] for _ in queries]
            if vector_weight:
                per_query = await self._indexes.search_copy(copy, vectors, k)
            bm25 = await self._bm25.index(name, versions.get(name, 0)) if bm25_weight else None
            for query, vector_hits in zip(queries, per_query, strict=True):
                lexical = bm25.top(query, k) if bm25 is not None else []
                ranked.append((name, lexical, [chunk_id for chunk_id, _ in vector_hits]))
        chunks = await self._chunks(
            list({chunk_id for _, lexical, vector in ranked for chunk_id in (*lexical, *vector)})
        )
        found: list[tuple[str, str, float, dict]] = []
        for name, lexical, vector in ranked:
            # The first chunk seen with a text gives its metadata, as in langchain.
            first: dict[str, dict] = {}
            lists = []
            for ids in (lexical, vector):
                present = [chunks[i] for i in ids if i in chunks]
                for text, metadata in present:
                    first.setdefault(text, metadata)
                lists.append([text for text, _ in present])
            for text, score in weighted_rrf(lists, (bm25_weight, vector_weight)):
                found.append((name, text, score, first[text]))
        found.sort(key=lambda item: item[2], reverse=True)
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for name, text, score, metadata in found:
            if text in seen:
                continue
            seen.add(text)
            hits.append(SearchHit(name, text, score, metadata))
            if len(hits) == k:
                break
        return hits


def _chunk_ids(files: dict[str, np.ndarray]) -> Iterator[int]:
    for ids in files.values():
        yield from ids.tolist()
