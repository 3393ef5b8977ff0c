"""Chat completions grounded in files and collections, through the whole stack with the official
``openai`` client: the context Open WebUI's template puts in front of the question reaches the fake
upstream, ``sources`` come back first (JSON key and first SSE event), and what a caller may not read
never reaches the model."""

import json
from dataclasses import dataclass

import openai
import pytest
import requests

from services.common import messages
from tests.e2e.chat_support import (
    GPT,
    LLAMA,
    chat_calls,
    client,
    collection_with,
    delta_text,
    get,
    only_chat_call,
    post,
    processed_file,
    sse_events,
    stream_chunks,
)
from tests.e2e.conftest import Account, Running
from tests.fakes.base import FakeServer, expected_text
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

QUESTION = "What is the secret anchor code?"
ANCHOR = "The secret anchor code is ZEBRA-4711."
# Five paragraphs, each one chunk (CHUNK_SIZE 1000 cannot hold two), each with a marker of its own:
# a search keeps RAG_TOP_K (3) of them, "context": "full" sends them all.
PARAGRAPHS = {
    "ZEBRA-4711": ANCHOR
    + " Harbour masters copy the secret anchor code into the log before any ship may drop anchor." * 7,
    "VOLCANO-21": "Marker VOLCANO-21. Volcanic ash grounded every flight over Iceland for six days." * 8,
    "VIOLIN-34": "Marker VIOLIN-34. The violin maker seasons spruce for twelve years before carving it." * 8,
    "GLACIER-55": "Marker GLACIER-55. Glacier ice in Patagonia creeps forward two metres every day." * 8,
    "BAKERY-89": "Marker BAKERY-89. The bakery on Rue Cler sells sourdough baked in a wood-fired oven." * 8,
}
TEMPLATE_HEAD = (
    "### Task:\nRespond to the user query using the provided context, incorporating inline citations"
)
SOURCE_KEYS = ["source", "document", "metadata", "distances"]
OTHER_TEXT = "Private ledger: the vault combination is ORCHID-0042. Nobody else may read this."
RAG_TOP_K = 3


@dataclass(frozen=True)
class Corpus:
    owner: Account
    file_id: str
    knowledge_id: str
    content: str


@dataclass(frozen=True)
class Private:
    """Another user's file and collection."""

    file_id: str
    knowledge_id: str


@pytest.fixture(scope="module")
def corpus(running: Running, user: Account) -> Corpus:
    text = "\n\n".join(PARAGRAPHS.values())
    file_id = processed_file(running, user, "anchor.txt", text)
    knowledge_id = collection_with(running, user, "anchor-kb", file_id, QUESTION)
    content = get(running, f"/api/v1/files/{file_id}", user).json()["data"]["content"]
    return Corpus(user, file_id, knowledge_id, content)


@pytest.fixture(scope="module")
def private(running: Running, other_user: Account) -> Private:
    file_id = processed_file(running, other_user, "ledger.txt", OTHER_TEXT)
    knowledge_id = collection_with(running, other_user, "private-kb", file_id, "vault combination")
    return Private(file_id, knowledge_id)


def upstream_for(model: str, ollama: FakeOllama, openai_upstream: FakeOpenAI) -> FakeServer:
    return ollama if model == LLAMA else openai_upstream


def ask(model: str, files: list[dict], question: str = QUESTION, stream: bool = False) -> dict:
    return {
        "model": model,
        "messages": [{"role": "user", "content": question}],
        "stream": stream,
        "files": files,
    }


def sent_prompt(fake: FakeServer) -> tuple[list[dict], str]:
    """The messages of the one chat call the fake received, and its single user message's text."""
    sent = only_chat_call(fake).json["messages"]
    assert [m["role"] for m in sent] == ["user"], sent
    return sent, sent[0]["content"]


def assert_context(prompt: str, opening_tag: str, *contained: str, question: str = QUESTION) -> None:
    """Open WebUI's default template, a ``<source>`` line per chunk, then the question."""
    assert prompt.startswith(TEMPLATE_HEAD), prompt[:200]
    assert f"<context>\n{opening_tag}" in prompt, prompt
    for text in contained:
        assert text in prompt, (text, prompt)
    assert prompt.endswith(f"</context>\n\n{question}"), prompt[-200:]


def context_of(prompt: str) -> str:
    """What the template's ``<context>`` holds."""
    return prompt.split("<context>\n", 1)[1].rsplit("\n</context>", 1)[0]


def assert_searched_source(source: dict, item: dict, corpus: Corpus) -> None:
    assert list(source) == SOURCE_KEYS
    assert source["source"] == item
    assert len(source["document"]) == len(source["metadata"]) == len(source["distances"]) == RAG_TOP_K
    assert ANCHOR in source["document"][0], source["document"]
    assert source["distances"] == sorted(source["distances"], reverse=True)
    assert all(isinstance(d, float) for d in source["distances"])
    for metadata in source["metadata"]:
        assert metadata["file_id"] == corpus.file_id
        assert metadata["name"] == "anchor.txt"


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_collection_context_and_sources(
    running: Running, corpus: Corpus, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    item = {"type": "collection", "id": corpus.knowledge_id}
    raw = client(running, corpus.owner).chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": QUESTION}], extra_body={"files": [item]}
    )
    assert raw.status_code == 200
    sent, prompt = sent_prompt(upstream_for(model, ollama, openai_upstream))
    opening = f'<source id="1" resource-type="collection" resource-id="{corpus.knowledge_id}">'
    assert_context(prompt, opening, ANCHOR)
    # Only the top chunks are sent, each in its own tag, all from one file (one citation number).
    lines = context_of(prompt).split("\n")
    assert len(lines) == RAG_TOP_K
    assert all(line.startswith(opening) and line.endswith("</source>") for line in lines), lines

    body = json.loads(raw.http_response.text)
    assert next(iter(body)) == "sources"
    [source] = body["sources"]
    assert_searched_source(source, item, corpus)
    completion = raw.parse()
    assert completion.model_extra["sources"] == body["sources"]
    assert completion.choices[0].message.content == expected_text(model, sent, len(sent))


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_collection_context_streamed(
    running: Running, corpus: Corpus, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    fake = upstream_for(model, ollama, openai_upstream)
    item = {"type": "collection", "id": corpus.knowledge_id}
    reply = post(running, "/api/chat/completions", corpus.owner, ask(model, [item], stream=True))
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.content.startswith(b'data: {"sources":[')
    events = sse_events(reply.content)
    assert list(events[0]) == ["sources"]
    [source] = events[0]["sources"]
    assert_searched_source(source, item, corpus)
    sent, prompt = sent_prompt(fake)
    assert ANCHOR in prompt
    expected = expected_text(model, sent, len(sent))
    assert delta_text(events[1:]) == expected

    # The official client yields the sources event as a chunk without choices.
    fake.reset()
    stream = client(running, corpus.owner).chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        extra_body={"files": [item]},
    )
    extras, text = stream_chunks(stream)
    assert extras[0] == {"sources": events[0]["sources"]}
    assert text == expected


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_file_context_and_sources(
    running: Running, corpus: Corpus, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    fake = upstream_for(model, ollama, openai_upstream)
    item = {"type": "file", "id": corpus.file_id}
    raw = client(running, corpus.owner).chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": QUESTION}], extra_body={"files": [item]}
    )
    body = json.loads(raw.http_response.text)
    assert next(iter(body)) == "sources"
    [source] = body["sources"]
    assert_searched_source(source, item, corpus)
    sent, prompt = sent_prompt(fake)
    assert_context(prompt, f'<source id="1" resource-type="file" resource-id="{corpus.file_id}">', ANCHOR)
    assert raw.parse().choices[0].message.content == expected_text(model, sent, len(sent))

    fake.reset()
    streamed = post(running, "/api/chat/completions", corpus.owner, ask(model, [item], stream=True))
    events = sse_events(streamed.content)
    assert events[0] == {"sources": body["sources"]}
    sent, _ = sent_prompt(fake)
    assert delta_text(events[1:]) == expected_text(model, sent, len(sent))


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_text_item_reaches_the_upstream(
    running: Running, user: Account, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    note = "Inline note: the ferry to the island leaves at 07:15 from pier NINE."
    question = "When does the ferry leave?"
    completion = client(running, user).chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": question}],
        extra_body={"files": [{"type": "text", "content": note}]},
    )
    sent, prompt = sent_prompt(upstream_for(model, ollama, openai_upstream))
    assert_context(prompt, '<source id="1" resource-type="text">', note, question=question)
    assert completion.choices[0].message.content == expected_text(model, sent, len(sent))


@pytest.mark.parametrize("model", [LLAMA, GPT])
def test_full_context_sends_the_whole_file(
    running: Running, corpus: Corpus, ollama: FakeOllama, openai_upstream: FakeOpenAI, model: str
) -> None:
    item = {"type": "file", "id": corpus.file_id, "context": "full"}
    raw = client(running, corpus.owner).chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": QUESTION}], extra_body={"files": [item]}
    )
    _, prompt = sent_prompt(upstream_for(model, ollama, openai_upstream))
    # Every paragraph, not only the top RAG_TOP_K chunks a search keeps.
    assert_context(prompt, '<source id="1" resource-type="file"', *PARAGRAPHS)
    assert corpus.content in prompt
    [source] = json.loads(raw.http_response.text)["sources"]
    assert source["source"] == item
    assert source["document"] == [corpus.content]
    # A whole document is read, not searched: no distances.
    assert "distances" not in source


def test_collection_of_another_user_is_refused(
    running: Running, user: Account, private: Private, ollama: FakeOllama
) -> None:
    files = [{"type": "collection", "id": private.knowledge_id}]
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(running, user).chat.completions.create(
            model=LLAMA, messages=[{"role": "user", "content": "vault?"}], extra_body={"files": files}
        )
    assert refused.value.status_code == 403
    assert refused.value.response.json() == {"detail": messages.ACCESS_PROHIBITED}
    streamed = post(running, "/api/chat/completions", user, ask(LLAMA, files, "vault?", stream=True))
    assert streamed.status_code == 403, streamed.text
    assert streamed.json() == {"detail": messages.ACCESS_PROHIBITED}
    assert chat_calls(ollama) == []


def test_file_of_another_user_is_refused(
    running: Running, user: Account, private: Private, ollama: FakeOllama, openai_upstream: FakeOpenAI
) -> None:
    for model in (LLAMA, GPT):
        files = [{"type": "file", "id": private.file_id}]
        reply = post(running, "/api/chat/completions", user, ask(model, files))
        assert reply.status_code == 403, reply.text
        assert reply.json() == {"detail": messages.ACCESS_PROHIBITED}
    # One readable item does not let an unreadable one through.
    mixed = [{"type": "text", "content": "harmless"}, {"type": "file", "id": private.file_id}]
    assert post(running, "/api/chat/completions", user, ask(LLAMA, mixed)).status_code == 403
    assert chat_calls(ollama) == chat_calls(openai_upstream) == []


def test_admin_reads_a_users_collection(running: Running, corpus: Corpus, ollama: FakeOllama) -> None:
    # BYPASS_ADMIN_ACCESS_CONTROL (default true): admins may read everyone's knowledge.
    files = [{"type": "collection", "id": corpus.knowledge_id}]
    reply = post(running, "/api/chat/completions", running.admin, ask(LLAMA, files))
    assert reply.status_code == 200, reply.text
    assert ANCHOR in sent_prompt(ollama)[1]


@pytest.mark.parametrize("kind", ["collection", "file"])
def test_unknown_ids_are_client_errors(
    running: Running, user: Account, ollama: FakeOllama, kind: str
) -> None:
    for missing in ("00000000-0000-4000-8000-000000000000", "a\x00b"):
        for stream in (False, True):
            body = ask(LLAMA, [{"type": kind, "id": missing}], stream=stream)
            reply = post(running, "/api/chat/completions", user, body)
            assert 400 <= reply.status_code < 500, (reply.status_code, reply.text)
            assert "detail" in reply.json()
    assert chat_calls(ollama) == []


@pytest.mark.parametrize(
    "files",
    [
        "not a list",
        ["not an object"],
        [{"type": "file"}],
        [{"type": "text"}],
    ],
)
def test_malformed_files_are_400(running: Running, user: Account, ollama: FakeOllama, files: object) -> None:
    reply = requests.post(
        f"{running.url}/api/chat/completions",
        headers=user.headers,
        json={"model": LLAMA, "messages": [{"role": "user", "content": "hi"}], "files": files},
        timeout=30,
    )
    assert reply.status_code == 400, reply.text
    assert chat_calls(ollama) == []
