"""Hybrid search pieces: BM25 over a collection's chunk texts, and weighted reciprocal rank fusion."""

import asyncio
import re
import sys
from collections import Counter, OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from rank_bm25 import BM25Okapi

from services.ingest.repository import IngestRepository

# langchain's EnsembleRetriever constant (Open WebUI uses its default).
RRF_C = 60
# Collections with more chunks than this have their BM25 model built in a thread.
_INLINE_LIMIT = 2000
_WORD = re.compile(r"\w+")

K = TypeVar("K", bound=Hashable)


def tokenize(text: str) -> list[str]:
    """Lower-case runs of word characters (letters, digits, underscore, in any script)."""
    # Interned: the same word in thousands of chunks is then one string while a model is built.
    return [sys.intern(word) for word in _WORD.findall(text.lower())]


def weighted_rrf(
    ranked: Sequence[Sequence[K]], weights: Sequence[float], c: int = RRF_C
) -> list[tuple[K, float]]:
    """langchain's ``EnsembleRetriever.weighted_reciprocal_rank``: each key scores the sum over the
    lists holding it of ``weight / (rank + c)`` (ranks from 1), best first; ties keep the order in
    which the keys first appear, list by list."""
    if len(ranked) != len(weights):
        raise ValueError("one weight per ranked list")
    scores: dict[K, float] = {}
    for keys, weight in zip(ranked, weights, strict=True):
        for rank, key in enumerate(keys, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (rank + c)
    # dict order is first appearance, and sorted() is stable.
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def fusion_weights(bm25_weight: float) -> tuple[float, float]:
    """(BM25, vector) weights as Open WebUI sets them from ``RAG_HYBRID_BM25_WEIGHT``: at 0 or
    below only the vector list counts, at 1 or above only BM25."""
    if bm25_weight <= 0:
        return 0.0, 1.0
    if bm25_weight >= 1:
        return 1.0, 0.0
    return bm25_weight, 1.0 - bm25_weight


class Bm25Index:
    """``rank_bm25.BM25Okapi`` over one collection's chunks, with their chunk ids.

    Scores are BM25Okapi's ``get_scores`` (its idf with the epsilon floor, k1 1.5, b 0.75), computed
    from postings (word → chunks holding it, with counts) made once from the model's per-chunk
    counts, so that a query touches only the chunks holding its words rather than every chunk per
    word. Only chunks holding at least one query word are ranked: a query with no known word finds
    nothing rather than arbitrary zero-score chunks (and a tiny collection, where BM25Okapi's idf
    is zero or negative, still finds its matching chunks).
    """

    __slots__ = ("_docs", "_idf", "_ids", "_k1", "_norm", "_starts", "_tfs", "_vocab")

    def __init__(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        if len(ids) != len(texts):
            raise ValueError("one id per text")
        self._ids = np.asarray(ids, dtype=np.int64)
        corpus = [tokenize(text) for text in texts]
        self._vocab: dict[str, int] = {}
        if not any(corpus):
            # BM25Okapi divides by the number of distinct words.
            self._k1 = 0.0
            self._idf = self._norm = self._tfs = np.zeros(0)
            self._docs = self._starts = np.zeros(0, dtype=np.int64)
            return
        model = BM25Okapi(corpus)
        del corpus
        columns: list[int] = []
        docs: list[int] = []
        tfs: list[int] = []
        vocab = self._vocab
        for position, frequencies in enumerate(model.doc_freqs):
            for word, tf in frequencies.items():
                columns.append(vocab.setdefault(word, len(vocab)))
                docs.append(position)
                tfs.append(tf)
        by_word = np.argsort(np.asarray(columns, dtype=np.int64), kind="stable")
        self._docs = np.asarray(docs, dtype=np.int64)[by_word]
        self._tfs = np.asarray(tfs, dtype=np.float64)[by_word]
        # Postings of word j: positions _starts[j] to _starts[j + 1] of _docs and _tfs.
        self._starts = np.concatenate([[0], np.cumsum(np.bincount(columns, minlength=len(vocab)))])
        self._idf = np.asarray([model.idf[word] for word in vocab], dtype=np.float64)
        self._k1 = model.k1
        doc_len = np.asarray(model.doc_len, dtype=np.float64)
        self._norm = model.k1 * (1 - model.b + model.b * doc_len / model.avgdl)

    @property
    def size(self) -> int:
        return len(self._ids)

    def top(self, query: str, k: int) -> list[int]:
        """Up to ``k`` chunk ids, best BM25 score first (ties: earlier chunk first)."""
        if k < 1:
            return []
        counts = Counter(j for j in map(self._vocab.get, tokenize(query)) if j is not None)
        if not counts:
            return []
        scores = np.zeros(len(self._ids))
        matched = np.zeros(len(self._ids), dtype=bool)
        for j, count in counts.items():
            docs = self._docs[self._starts[j] : self._starts[j + 1]]
            tf = self._tfs[self._starts[j] : self._starts[j + 1]]
            # get_scores' term for the word (times its repeats in the query); zero elsewhere.
            scores[docs] += count * self._idf[j] * (tf * (self._k1 + 1) / (tf + self._norm[docs]))
            matched[docs] = True
        candidates = np.flatnonzero(matched)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:k]
        return self._ids[order].tolist()


@dataclass
class _Entry:
    version: int
    index: Bm25Index


class Bm25Cache:
    """The BM25 models of this replica, one per collection, each valid for one collection version.

    Postgres bumps a collection's version in the transaction of every change to it, so a model whose
    version is older than the current one is rebuilt from the chunk texts. Least recently used models
    are dropped once they hold more than ``max_chunks`` chunks together; a larger collection is
    built for each search and not kept.
    """

    def __init__(self, repo: IngestRepository, max_chunks: int) -> None:
        self._repo = repo
        self._max_chunks = max_chunks
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}
        # Models built since start (for tests and metrics).
        self.builds = 0

    @property
    def held(self) -> dict[str, int]:
        """Collections with a model and the version it was built at (for tests and metrics)."""
        return {name: entry.version for name, entry in self._entries.items()}

    async def index(self, name: str, version: int) -> Bm25Index | None:
        """The model of ``name`` at ``version`` (read from Postgres before this call); None for a
        collection that does not exist (version 0)."""
        if version == 0:
            self._entries.pop(name, None)
            return None
        entry = self._hit(name, version)
        if entry is not None:
            return entry.index
        lock = self._loading.setdefault(name, asyncio.Lock())
        async with lock:
            entry = self._hit(name, version)
            if entry is not None:
                return entry.index
            index = await self._build(name)
            if index is None:
                return None
            self._keep(name, _Entry(version, index))
            return index

    def _hit(self, name: str, version: int) -> _Entry | None:
        entry = self._entries.get(name)
        if entry is None:
            return None
        if entry.version < version:
            # Stale: drop it now so that it holds no memory while the new one is built.
            del self._entries[name]
            return None
        # A newer model than the version asked for (built by a concurrent search) is as good.
        self._entries.move_to_end(name)
        return entry

    async def _build(self, name: str) -> Bm25Index | None:
        file_ids = await self._repo.collection_file_ids(name)
        if file_ids is None:
            return None
        ids, texts = await self._repo.chunk_texts(file_ids)
        self.builds += 1
        if len(ids) > _INLINE_LIMIT:
            return await asyncio.to_thread(Bm25Index, ids, texts)
        return Bm25Index(ids, texts)

    def _keep(self, name: str, entry: _Entry) -> None:
        if entry.index.size > self._max_chunks:
            return
        self._entries[name] = entry
        self._entries.move_to_end(name)
        held = sum(e.index.size for e in self._entries.values())
        while held > self._max_chunks:
            _, dropped = self._entries.popitem(last=False)
            held -= dropped.index.size
