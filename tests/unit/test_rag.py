"""Retrieval for chat: request items, the RAG template and its injection, query generation, and
Retrieval.sources over a fake ingest service."""

import time
from collections.abc import Sequence

import pytest

from services.common.errors import InvalidArgument, PermissionDenied
from services.common.identity import Identity
from services.inference.rag.items import knowledge_items, parse_items
from services.inference.rag.query_generation import (
    DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE,
    parse_queries,
    query_prompt,
)
from services.inference.rag.retrieval import RagConfig, Retrieval
from services.inference.rag.sources import Document, Hit, Source
from services.inference.rag.template import DEFAULT_RAG_TEMPLATE, inject, render_context, render_template

CALLER = Identity(user_id="u1", email="u1@example.com", name="U1", role="user")

# Open WebUI's DEFAULT_RAG_TEMPLATE (open_webui/config.py), word for word.
EXPECTED_TEMPLATE = """### Task:
Respond to the user query using the provided context, incorporating inline citations in the format [id] **only when the <source> tag includes an explicit id attribute** (e.g., <source id="1">).

### Guidelines:
- If you don't know the answer, clearly state that.
- If uncertain, ask the user for clarification.
- Respond in the same language as the user's query.
- If the context is unreadable or of poor quality, inform the user and provide the best possible answer.
- If the answer isn't present in the context but you possess the knowledge, explain this to the user and provide the answer using your own understanding.
- **Only include inline citations using [id] (e.g., [1], [2]) when the <source> tag includes an id attribute.**
- Do not cite if the <source> tag does not contain an id attribute.
- Do not use XML tags in your response.
- Ensure citations are concise and directly related to the information provided.

### Example of Citation:
If the user asks about a specific topic and the information is found in a source with a provided id attribute, the response should include the citation like in the following example:
* "According to the study, the proposed method increases efficiency by 20% [1]."

### Output:
Provide a clear and direct response to the user's query, including inline citations in the format [id] only when the <source> tag with id attribute is present in the context.

<context>
{{CONTEXT}}
</context>
"""  # noqa: E501


# --- items ---------------------------------------------------------------------------------------


def test_parse_items_of_nothing_is_empty() -> None:
    assert parse_items(None) == []
    assert parse_items([]) == []


@pytest.mark.parametrize("files", ["a", {"type": "file"}, 3])
def test_parse_items_rejects_a_non_list(files: object) -> None:
    with pytest.raises(InvalidArgument, match="'files' must be a list"):
        parse_items(files)


def test_parse_items_rejects_a_non_object_item() -> None:
    with pytest.raises(InvalidArgument, match="must be an object"):
        parse_items([{"type": "file", "id": "f1"}, "f2"])


def test_file_item_searches_its_file_collection_and_drops_data() -> None:
    [item] = parse_items([{"type": "file", "id": "f1", "name": "a.pdf", "data": {"content": "big"}}])
    assert item.kind == "file"
    assert item.collection == "file-f1"
    assert item.source == {"type": "file", "id": "f1", "name": "a.pdf"}
    assert item.full is False


def test_full_context_flag() -> None:
    [item] = parse_items([{"type": "collection", "id": "k1", "context": "full"}])
    assert (item.kind, item.collection, item.full) == ("collection", "k1", True)


def test_collection_item_by_collection_name_without_type() -> None:
    [item] = parse_items([{"collection_name": "k9"}])
    assert (item.kind, item.collection) == ("collection", "k9")


def test_untyped_item_with_id_is_a_file() -> None:
    [item] = parse_items([{"id": "f7"}])
    assert (item.kind, item.collection) == ("file", "file-f7")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "file"}, "A file item needs an 'id'"),
        ({"type": "file", "id": ""}, "A file item needs an 'id'"),
        ({"type": "file", "id": 5}, "A file item needs an 'id'"),
        ({"type": "collection"}, "A collection item needs an 'id'"),
        ({"type": "text"}, "needs a 'content' string"),
        ({"type": "text", "content": 5}, "needs a 'content' string"),
    ],
)
def test_malformed_items_are_400(raw: dict, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        parse_items([raw])


def test_text_item_from_content_or_file_data() -> None:
    first, second = parse_items(
        [
            {"type": "text", "content": "inline", "name": "note"},
            {"type": "text", "file": {"data": {"content": "from file"}}},
        ]
    )
    assert (first.kind, first.collection, first.full, first.text) == ("text", "", True, "inline")
    assert second.text == "from file"


@pytest.mark.parametrize("file", [{"data": None}, {"data": "x"}, "not a dict", None])
def test_text_item_with_unusable_file_data_is_400(file: object) -> None:
    with pytest.raises(InvalidArgument, match="needs a 'content' string"):
        parse_items([{"type": "text", "file": file}])


def test_duplicates_by_json_are_removed_and_other_kinds_ignored() -> None:
    items = parse_items(
        [
            {"type": "file", "id": "f1", "name": "a"},
            {"name": "a", "id": "f1", "type": "file"},  # same JSON, other key order
            {"type": "file", "id": "f1", "name": "other name"},  # differs: kept
            {"type": "note", "id": "n1"},
            {"type": "url", "url": "https://example.com"},
            {"type": "filesystem", "id": "x"},
            {"type": "web_search", "collection_name": "w"},
        ]
    )
    assert [(i.kind, i.collection, i.source.get("name")) for i in items] == [
        ("file", "file-f1", "a"),
        ("file", "file-f1", "other name"),
    ]


def test_knowledge_items() -> None:
    assert knowledge_items(None) == []
    assert knowledge_items({"id": "k"}) == []
    assert knowledge_items(
        [
            {"id": "k1", "name": "Docs"},
            {"id": "f1", "type": "file"},
            {"id": "k2", "type": "weird"},
            {"name": "no id"},
            {"id": 3},
            "k3",
        ]
    ) == [
        {"type": "collection", "id": "k1", "name": "Docs"},
        {"type": "file", "id": "f1"},
        {"type": "collection", "id": "k2"},
    ]


# --- template ------------------------------------------------------------------------------------


def test_default_template_is_open_webuis() -> None:
    assert DEFAULT_RAG_TEMPLATE == EXPECTED_TEMPLATE


def test_render_context_numbers_each_distinct_document() -> None:
    sources = [
        Source(
            {"type": "collection", "id": "k1", "name": "Docs"},
            ["a1", "b1", "a2"],
            [{"source": "a.pdf"}, {"source": "b.pdf"}, {"source": "a.pdf"}],
        ),
        Source({"type": "file", "id": "f9", "name": "a.pdf"}, ["a3"], [{"source": "a.pdf"}]),
        # No metadata.source: the item's id is the document.
        Source({"type": "file", "id": "f2", "name": "c.txt"}, ["c1", "c2"], [{}, {}]),
    ]
    lines = render_context(sources).split("\n")
    assert lines == [
        '<source id="1" name="Docs" resource-type="collection" resource-id="k1">a1</source>',
        '<source id="2" name="Docs" resource-type="collection" resource-id="k1">b1</source>',
        '<source id="1" name="Docs" resource-type="collection" resource-id="k1">a2</source>',
        '<source id="1" name="a.pdf" resource-type="file" resource-id="f9">a3</source>',
        '<source id="3" name="c.txt" resource-type="file" resource-id="f2">c1</source>',
        '<source id="3" name="c.txt" resource-type="file" resource-id="f2">c2</source>',
    ]


def test_render_context_leaves_out_missing_attributes_and_escapes_values() -> None:
    sources = [
        Source({"type": "text"}, ["plain"], [{}]),
        Source({"type": "file", "id": 'f"1', "name": 'say "hi" & <bye>'}, ["x"], [{"source": "s"}]),
    ]
    assert render_context(sources).split("\n") == [
        '<source id="1" resource-type="text">plain</source>',
        '<source id="2" name="say &quot;hi&quot; &amp; &lt;bye&gt;" resource-type="file"'
        ' resource-id="f&quot;1">x</source>',
    ]


def test_render_context_of_nothing_is_empty() -> None:
    assert render_context([]) == ""


def test_render_template_fills_both_placeholder_styles() -> None:
    assert render_template("C={{CONTEXT}} c=[context] Q={{QUERY}} q=[query]", "ctx", "why?") == (
        "C=ctx c=ctx Q=why? q=why?"
    )


def test_render_template_defaults_to_open_webuis() -> None:
    rendered = render_template("", "<source>x</source>", "q")
    assert rendered == EXPECTED_TEMPLATE.replace("{{CONTEXT}}", "<source>x</source>")


def test_inject_prepends_to_the_last_user_message() -> None:
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": "second", "name": "bob"},
    ]
    original = [dict(m) for m in messages]
    result = inject(messages, "CTX", False)
    assert result[:3] == original[:3]
    assert result[3] == {"role": "user", "content": "CTX\nsecond", "name": "bob"}
    assert messages == original  # not changed in place


def test_inject_prepends_to_each_text_part_of_list_content() -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}
    messages = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "look"}, image, {"type": "text", "text": "here"}],
        }
    ]
    [result] = inject(messages, "CTX", False)
    assert result["content"] == [
        {"type": "text", "text": "CTX\nlook"},
        image,
        {"type": "text", "text": "CTX\nhere"},
    ]


def test_inject_without_a_user_message_changes_nothing() -> None:
    messages = [{"role": "system", "content": "sys"}]
    assert inject(messages, "CTX", False) == messages


def test_inject_system_context_appends_to_the_system_message() -> None:
    messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "q"}]
    assert inject(messages, "CTX", True) == [
        {"role": "system", "content": "sys\nCTX"},
        {"role": "user", "content": "q"},
    ]
    assert messages[0]["content"] == "sys"


def test_inject_system_context_with_list_system_content() -> None:
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "sys"}]},
        {"role": "user", "content": "q"},
    ]
    assert inject(messages, "CTX", True)[0]["content"] == [
        {"type": "text", "text": "sys"},
        {"type": "text", "text": "CTX"},
    ]


def test_inject_system_context_adds_a_system_message() -> None:
    messages = [{"role": "user", "content": "q"}]
    assert inject(messages, "CTX", True) == [
        {"role": "system", "content": "CTX"},
        {"role": "user", "content": "q"},
    ]


# --- query generation ----------------------------------------------------------------------------


def test_query_prompt_holds_the_last_six_messages_and_the_date() -> None:
    messages = [{"role": "user", "content": f"m{i}"} for i in range(8)]
    messages[6] = {
        "role": "assistant",
        "content": [{"type": "text", "text": "part a"}, {"type": "text", "text": "b"}],
    }
    now = time.mktime((2024, 3, 5, 12, 0, 0, 0, 0, -1))
    prompt = query_prompt("", messages, now)
    assert prompt.startswith(
        "### Task:\nAnalyze the chat history to determine the necessity of generating search queries"
    )
    assert "- Today's date is: 2024-03-05." in prompt
    history = prompt.split("<chat_history>\n")[1].split("\n</chat_history>")[0]
    assert history == "USER: m2\nUSER: m3\nUSER: m4\nUSER: m5\nASSISTANT: part a\nb\nUSER: m7"
    assert "{{" not in prompt


def test_query_prompt_with_a_custom_template_and_few_messages() -> None:
    messages = ["junk", {"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert query_prompt("H={{MESSAGES:END:6}}", messages) == "H=SYSTEM: be brief\nUSER: hi"


def test_default_query_template_asks_for_json_queries() -> None:
    assert '{ "queries": ["query1", "query2"] }' in DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE
    assert DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE.endswith(
        "<chat_history>\n{{MESSAGES:END:6}}\n</chat_history>\n"
    )


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"queries": ["alpha", "beta"]}', ["alpha", "beta"]),
        ('Sure!\n```json\n{ "queries": ["alpha"] }\n```', ["alpha"]),
        ('{"queries": ["a", "", "  ", 3, null, "b"]}', ["a", "b"]),
        ('{"queries": []}', ["fallback"]),
        ('{"other": 1}', ["fallback"]),
        ('{"queries": "not a list"}', ["fallback"]),
        ("[1, 2]", ["[1, 2]"]),
        ("search the manual", ["search the manual"]),
        ("{not json}", ["{not json}"]),
        ("", ["fallback"]),
        ("   ", ["fallback"]),
    ],
)
def test_parse_queries(reply: str, expected: list[str]) -> None:
    assert parse_queries(reply, "fallback") == expected


def test_parse_queries_with_nothing_at_all_is_empty() -> None:
    assert parse_queries("", "") == []
    assert parse_queries('{"queries": []}', "  ") == []


# --- Retrieval.sources ---------------------------------------------------------------------------


class FakeRetriever:
    def __init__(
        self,
        hits: Sequence[Hit] = (),
        documents: Sequence[Document] = (),
        error: Exception | None = None,
    ) -> None:
        self.hits = list(hits)
        self.documents = list(documents)
        self.error = error
        self.searches: list[tuple[Identity, list[str], list[str], int, bool]] = []
        self.reads: list[tuple[Identity, list[str]]] = []

    async def search(
        self, caller: Identity, names: Sequence[str], queries: Sequence[str], k: int, hybrid: bool
    ) -> list[Hit]:
        self.searches.append((caller, list(names), list(queries), k, hybrid))
        if self.error is not None:
            raise self.error
        return [hit for hit in self.hits if hit.collection_name in names][:k]

    async def read_documents(self, caller: Identity, names: Sequence[str]) -> list[Document]:
        self.reads.append((caller, list(names)))
        if self.error is not None:
            raise self.error
        return [d for d in self.documents if d.collection_name in names]


class FakeGenerate:
    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    async def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


MESSAGES = [
    {"role": "system", "content": "sys"},
    {"role": "user", "content": "old question"},
    {"role": "assistant", "content": "old answer"},
    {"role": "user", "content": "What is X?"},
]


def _hit(name: str, text: str, score: float, source: str) -> Hit:
    return Hit(name, text, score, {"source": source, "name": source, "file_id": source})


async def test_one_search_for_all_searched_items_with_top_k() -> None:
    retriever = FakeRetriever(
        hits=[
            _hit("k1", "from k1", 0.9, "doc1.pdf"),
            _hit("file-f1", "from f1", 0.8, "a.txt"),
            _hit("k1", "k1 again", 0.7, "doc2.pdf"),
            _hit("file-f1", "cut by k", 0.1, "a.txt"),
        ]
    )
    retrieval = Retrieval(retriever, RagConfig(top_k=3, hybrid=True))
    items = parse_items(
        [
            {"type": "file", "id": "f1", "name": "a.txt"},
            {"type": "collection", "id": "k1", "name": "KB"},
            {"type": "file", "id": "f-empty", "name": "nothing.txt"},
        ]
    )
    sources = await retrieval.sources(CALLER, items, MESSAGES)
    assert retriever.searches == [(CALLER, ["file-f1", "k1", "file-f-empty"], ["What is X?"], 3, True)]
    assert retriever.reads == []
    # In the items' order; the item that found nothing is left out.
    assert [s.to_json() for s in sources] == [
        {
            "source": {"type": "file", "id": "f1", "name": "a.txt"},
            "document": ["from f1"],
            "metadata": [{"source": "a.txt", "name": "a.txt", "file_id": "a.txt"}],
            "distances": [0.8],
        },
        {
            "source": {"type": "collection", "id": "k1", "name": "KB"},
            "document": ["from k1", "k1 again"],
            "metadata": [
                {"source": "doc1.pdf", "name": "doc1.pdf", "file_id": "doc1.pdf"},
                {"source": "doc2.pdf", "name": "doc2.pdf", "file_id": "doc2.pdf"},
            ],
            "distances": [0.9, 0.7],
        },
    ]


async def test_a_collection_named_twice_is_searched_once_and_credited_to_the_first_item() -> None:
    retriever = FakeRetriever(hits=[_hit("file-f1", "chunk", 0.5, "a")])
    retrieval = Retrieval(retriever, RagConfig())
    items = parse_items(
        [{"type": "file", "id": "f1", "name": "first"}, {"type": "file", "id": "f1", "name": "second"}]
    )
    sources = await retrieval.sources(CALLER, items, MESSAGES)
    assert retriever.searches[0][1] == ["file-f1"]
    assert [s.item["name"] for s in sources] == ["first"]


async def test_full_context_items_are_read_whole() -> None:
    retriever = FakeRetriever(
        hits=[_hit("file-f2", "searched", 0.4, "b")],
        documents=[
            Document("k1", "doc one", {"source": "one.pdf", "name": "one.pdf"}),
            Document("k1", "doc two", {"source": "two.pdf", "name": "two.pdf"}),
            Document("file-f1", "whole file", {"source": "a.txt"}),
        ],
    )
    retrieval = Retrieval(retriever, RagConfig(top_k=5))
    items = parse_items(
        [
            {"type": "collection", "id": "k1", "name": "KB", "context": "full"},
            {"type": "file", "id": "f2", "name": "b"},
            {"type": "file", "id": "f1", "context": "full"},
        ]
    )
    sources = await retrieval.sources(CALLER, items, MESSAGES)
    assert retriever.reads == [(CALLER, ["k1", "file-f1"])]
    assert retriever.searches == [(CALLER, ["file-f2"], ["What is X?"], 5, False)]
    kb, searched, whole_file = (s.to_json() for s in sources)
    assert kb == {
        "source": {"type": "collection", "id": "k1", "name": "KB", "context": "full"},
        "document": ["doc one", "doc two"],
        "metadata": [{"source": "one.pdf", "name": "one.pdf"}, {"source": "two.pdf", "name": "two.pdf"}],
    }
    assert "distances" not in kb and "distances" not in whole_file
    assert searched["distances"] == [0.4]
    assert whole_file["document"] == ["whole file"]


async def test_only_full_items_make_no_search_and_no_query_generation() -> None:
    retriever = FakeRetriever(documents=[Document("file-f1", "all", {})])
    generate = FakeGenerate('{"queries": ["q"]}')
    retrieval = Retrieval(retriever, RagConfig(query_generation=True))
    items = parse_items([{"type": "file", "id": "f1", "context": "full"}])
    sources = await retrieval.sources(CALLER, items, MESSAGES, generate)
    assert retriever.searches == [] and generate.prompts == []
    assert [s.documents for s in sources] == [["all"]]


async def test_text_items_need_no_ingest_call() -> None:
    retriever = FakeRetriever()
    retrieval = Retrieval(retriever, RagConfig())
    items = parse_items(
        [
            {"type": "text", "content": "inline text", "name": "paste", "id": "t1"},
            {"type": "text", "content": "anon"},
        ]
    )
    sources = await retrieval.sources(CALLER, items, MESSAGES)
    assert retriever.searches == [] and retriever.reads == []
    assert [s.to_json() for s in sources] == [
        {
            "source": {"type": "text", "content": "inline text", "name": "paste", "id": "t1"},
            "document": ["inline text"],
            "metadata": [{"id": "t1", "name": "paste"}],
        },
        {"source": {"type": "text", "content": "anon"}, "document": ["anon"], "metadata": [{}]},
    ]
    # A source with neither name nor id is not listed in the reply (but still gives context).
    assert [s.listed for s in sources] == [True, False]


async def test_no_items_no_calls() -> None:
    retriever = FakeRetriever()
    assert await Retrieval(retriever, RagConfig()).sources(CALLER, [], MESSAGES) == []
    assert retriever.searches == [] and retriever.reads == []


async def test_no_user_text_means_no_search() -> None:
    retriever = FakeRetriever(hits=[_hit("file-f1", "x", 1.0, "a")])
    items = parse_items([{"type": "file", "id": "f1"}])
    sources = await Retrieval(retriever, RagConfig()).sources(
        CALLER, items, [{"role": "system", "content": "s"}]
    )
    assert sources == [] and retriever.searches == []


async def test_query_generation_on_uses_the_models_queries() -> None:
    retriever = FakeRetriever(hits=[_hit("file-f1", "x", 1.0, "a")])
    generate = FakeGenerate('{"queries": ["x definition", "x usage"]}')
    retrieval = Retrieval(retriever, RagConfig(query_generation=True, query_template="T {{MESSAGES:END:6}}"))
    items = parse_items([{"type": "file", "id": "f1"}])
    await retrieval.sources(CALLER, items, MESSAGES, generate)
    assert generate.prompts == ["T SYSTEM: sys\nUSER: old question\nASSISTANT: old answer\nUSER: What is X?"]
    assert retriever.searches[0][2] == ["x definition", "x usage"]


@pytest.mark.parametrize(("reply", "queries"), [("", ["What is X?"]), ("just text", ["just text"])])
async def test_query_generation_replies_that_hold_no_queries(reply: str, queries: list[str]) -> None:
    retriever = FakeRetriever()
    retrieval = Retrieval(retriever, RagConfig(query_generation=True))
    await retrieval.sources(
        CALLER, parse_items([{"type": "file", "id": "f1"}]), MESSAGES, FakeGenerate(reply)
    )
    assert retriever.searches[0][2] == queries


async def test_query_generation_failure_falls_back_to_the_last_user_message() -> None:
    retriever = FakeRetriever()
    retrieval = Retrieval(retriever, RagConfig(query_generation=True))
    generate = FakeGenerate(RuntimeError("upstream down"))
    await retrieval.sources(CALLER, parse_items([{"type": "file", "id": "f1"}]), MESSAGES, generate)
    assert generate.prompts and retriever.searches[0][2] == ["What is X?"]


async def test_query_generation_off_or_without_generate() -> None:
    generate = FakeGenerate('{"queries": ["never"]}')
    off = Retrieval(FakeRetriever(), RagConfig(query_generation=False))
    assert await off.queries(MESSAGES, generate) == ["What is X?"]
    assert generate.prompts == []
    on = Retrieval(FakeRetriever(), RagConfig(query_generation=True))
    assert await on.queries(MESSAGES, None) == ["What is X?"]


async def test_permission_denied_propagates() -> None:
    retriever = FakeRetriever(error=PermissionDenied("no access"))
    retrieval = Retrieval(retriever, RagConfig())
    with pytest.raises(PermissionDenied, match="no access"):
        await retrieval.sources(CALLER, parse_items([{"type": "collection", "id": "secret"}]), MESSAGES)
    with pytest.raises(PermissionDenied):
        await retrieval.sources(
            CALLER, parse_items([{"type": "file", "id": "f", "context": "full"}]), MESSAGES
        )


def test_apply_renders_the_template_into_the_last_user_message() -> None:
    retrieval = Retrieval(FakeRetriever(), RagConfig(template="Q=[query] C={{CONTEXT}}"))
    sources = [Source({"type": "file", "id": "f1", "name": "a"}, ["chunk"], [{"source": "a"}])]
    result = retrieval.apply(MESSAGES, sources)
    assert result[-1] == {
        "role": "user",
        "content": 'Q=What is X? C=<source id="1" name="a" resource-type="file" resource-id="f1">'
        "chunk</source>\nWhat is X?",
    }
    assert result[:-1] == MESSAGES[:-1]


def test_apply_with_system_context_and_without_sources() -> None:
    retrieval = Retrieval(FakeRetriever(), RagConfig(template="{{CONTEXT}}", system_context=True))
    sources = [Source({"type": "text"}, ["t"], [{}])]
    assert retrieval.apply(MESSAGES, sources)[0] == {
        "role": "system",
        "content": 'sys\n<source id="1" resource-type="text">t</source>',
    }
    assert retrieval.apply(MESSAGES, []) is MESSAGES
