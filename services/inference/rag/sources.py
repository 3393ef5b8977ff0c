"""What retrieval finds: hits and whole documents from the ingest service, and the ``sources`` a
chat reply carries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.common.identity import Identity


@dataclass(frozen=True)
class Hit:
    collection_name: str
    text: str
    score: float
    metadata: dict


@dataclass(frozen=True)
class Document:
    """A file's whole extracted text (``"context": "full"`` items)."""

    collection_name: str
    text: str
    metadata: dict


class Retriever(Protocol):
    """The ingest service, as retrieval uses it."""

    async def search(
        self, caller: Identity, names: Sequence[str], queries: Sequence[str], k: int, hybrid: bool
    ) -> list[Hit]:
        """The top ``k`` chunks across ``names`` for any of ``queries``, best first; raises
        PermissionDenied when a name is unknown or unreadable."""
        ...

    async def read_documents(self, caller: Identity, names: Sequence[str]) -> list[Document]: ...


@dataclass
class Source:
    """One request item and what it contributed: Open WebUI's source object."""

    item: dict
    documents: list[str] = field(default_factory=list)
    metadatas: list[dict] = field(default_factory=list)
    distances: list[float] | None = None
    # A tool's result (prompt-based tool calling), marked as Open WebUI marks it.
    tool_result: bool = False

    def to_json(self) -> dict:
        value: dict = {"source": self.item, "document": self.documents, "metadata": self.metadatas}
        if self.distances is not None:
            value["distances"] = self.distances
        if self.tool_result:
            value["tool_result"] = True
        return value

    @property
    def listed(self) -> bool:
        """Open WebUI leaves sources with neither a name nor an id out of the returned list."""
        return bool(self.item.get("name") or self.item.get("id"))
