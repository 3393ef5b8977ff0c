"""Vectors for the chunks a write stores: the one place that decides what has to be embedded.

Embeddings are content-addressed (``ingest_embedding``), so only texts with no stored vector go
through the model, in slices on the model thread. Between the lookup and the write the embedding
collector may take a reused vector no chunk held then; the write says so (``EmbeddingsGone``), and
those few texts are embedded again before it is retried. File processing, content updates and text
collections all write chunks this way.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol, TypeVar

import numpy as np

from services.ingest.daemon_thread import DaemonThread
from services.ingest.embedder import Embedder
from services.ingest.embedding_gc import EmbeddingsGone

T = TypeVar("T")
# Writes tried before an EmbeddingsGone is let through (each retry follows a collection that
# raced this very write, which is rare).
WRITE_ATTEMPTS = 4


class HashedText(Protocol):
    @property
    def text_hash(self) -> bytes: ...

    @property
    def text(self) -> str: ...


KnownEmbeddings = Callable[[Sequence[bytes]], Awaitable[set[bytes]]]
BeforeSlice = Callable[[], Awaitable[None]]


class ChunkVectors:
    def __init__(
        self, known: KnownEmbeddings, embedder: Embedder, model_thread: DaemonThread, embed_slice: int
    ) -> None:
        self._known = known
        self._embedder = embedder
        self._thread = model_thread
        self._slice = embed_slice

    async def missing(
        self, chunks: Iterable[HashedText], before_slice: BeforeSlice | None = None
    ) -> dict[bytes, np.ndarray]:
        """Vectors for the distinct chunk texts that have none stored yet."""
        distinct: dict[bytes, str] = {}
        for chunk in chunks:
            distinct.setdefault(chunk.text_hash, chunk.text)
        known = await self._known(list(distinct))
        return await self.embed([(h, t) for h, t in distinct.items() if h not in known], before_slice)

    async def embed(
        self, todo: Sequence[tuple[bytes, str]], before_slice: BeforeSlice | None = None
    ) -> dict[bytes, np.ndarray]:
        """Vectors for ``(text hash, text)`` pairs; ``before_slice`` may raise to stop between slices."""
        vectors: dict[bytes, np.ndarray] = {}
        for start in range(0, len(todo), self._slice):
            part = todo[start : start + self._slice]
            if before_slice is not None:
                await before_slice()
            embedded = await self._thread.run(self._embedder.embed, [t for _, t in part])
            for (text_hash, _), vector in zip(part, embedded, strict=True):
                vectors[text_hash] = vector
        return vectors

    async def write(
        self,
        chunks: Sequence[HashedText],
        vectors: dict[bytes, np.ndarray],
        write: Callable[[], Awaitable[T]],
    ) -> T:
        """``write()`` (which stores ``chunks`` with ``vectors``), embedding again what was collected
        since the lookup and retrying; ``vectors`` gains those texts."""
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return await write()
            except EmbeddingsGone as gone:
                texts = {c.text_hash: c.text for c in chunks if c.text_hash in gone.missing}
                vectors.update(await self.embed(list(texts.items())))
        return await write()
