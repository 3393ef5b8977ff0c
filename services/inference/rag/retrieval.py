"""Turns a chat request's items into sources (one ingest search across them all, top k, whole
documents for ``"context": "full"``) and puts their text into the messages."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.common.identity import Identity
from services.inference.rag.items import Item
from services.inference.rag.messages import last_user_text
from services.inference.rag.query_generation import parse_queries, query_prompt
from services.inference.rag.sources import Document, Hit, Retriever, Source
from services.inference.rag.template import inject, render_context, render_template

log = logging.getLogger(__name__)

# Asks the chat model for a completion of one prompt and returns its text.
Generate = Callable[[str], Awaitable[str]]


@dataclass(frozen=True)
class RagConfig:
    top_k: int = 3
    template: str = ""
    system_context: bool = False
    hybrid: bool = False
    query_generation: bool = False
    query_template: str = ""


# The stored task configuration's switch and template of query generation, read per request (an
# admin changes them with POST /api/v1/tasks/config/update).
QueryGenerationConfig = Callable[[], Awaitable[tuple[bool, str]]]


class Retrieval:
    def __init__(
        self, retriever: Retriever, config: RagConfig, query_generation: QueryGenerationConfig | None = None
    ) -> None:
        self._retriever = retriever
        self._config = config
        self._query_generation = query_generation

    async def _query_generation_config(self) -> tuple[bool, str]:
        if self._query_generation is None:
            return self._config.query_generation, self._config.query_template
        return await self._query_generation()

    async def queries(self, messages: list, generate: Generate | None) -> list[str]:
        """The search queries: the last user message, or the model's when query generation is on."""
        last = last_user_text(messages)
        enabled, template = await self._query_generation_config()
        if not enabled or generate is None:
            return [last] if last.strip() else []
        try:
            reply = await generate(query_prompt(template, messages))
        except Exception as error:
            # As in Open WebUI: a failed query generation is logged and the last user message searched.
            log.warning("retrieval query generation failed: %s", type(error).__name__)
            reply = ""
        return parse_queries(reply, last)

    async def sources(
        self, caller: Identity, items: list[Item], messages: list, generate: Generate | None = None
    ) -> list[Source]:
        """One source per item that found something, in the items' order."""
        searched = [i for i in items if i.collection and not i.full]
        whole = [i for i in items if i.collection and i.full]
        hits: list[Hit] = []
        documents: list[Document] = []
        tasks = []
        if searched:
            tasks.append(self._search(caller, searched, messages, generate))
        if whole:
            tasks.append(self._retriever.read_documents(caller, _names(whole)))
        results = await asyncio.gather(*tasks)
        if searched:
            hits = results[0]
        if whole:
            documents = results[-1]
        by_item = {id(item): Source(item.source) for item in items}
        for item in items:
            if item.kind == "text":
                source = by_item[id(item)]
                source.documents.append(item.text)
                source.metadatas.append({k: item.source[k] for k in ("id", "name") if k in item.source})
        owner_searched = _owners(searched)
        for hit in hits:
            source = by_item[id(owner_searched[hit.collection_name])]
            if source.distances is None:
                source.distances = []
            source.documents.append(hit.text)
            source.metadatas.append(hit.metadata)
            source.distances.append(hit.score)
        owner_whole = _owners(whole)
        for document in documents:
            source = by_item[id(owner_whole[document.collection_name])]
            source.documents.append(document.text)
            source.metadatas.append(document.metadata)
        return [by_item[id(item)] for item in items if by_item[id(item)].documents]

    async def _search(
        self, caller: Identity, items: list[Item], messages: list, generate: Generate | None
    ) -> list[Hit]:
        queries = await self.queries(messages, generate)
        if not queries:
            return []
        return await self._retriever.search(
            caller, _names(items), queries, self._config.top_k, self._config.hybrid
        )

    def apply(self, messages: list, sources: list[Source]) -> list:
        """The messages with the sources' context rendered through the RAG template."""
        if not sources:
            return messages
        text = render_template(self._config.template, render_context(sources), last_user_text(messages))
        return inject(messages, text, self._config.system_context)


def _names(items: list[Item]) -> list[str]:
    return list(dict.fromkeys(item.collection for item in items))


def _owners(items: list[Item]) -> dict[str, Item]:
    """The first item that names each collection (later duplicates add nothing)."""
    owners: dict[str, Item] = {}
    for item in items:
        owners.setdefault(item.collection, item)
    return owners
