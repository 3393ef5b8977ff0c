"""Workspace models (``/api/v1/models/*``) in chat: a preset over an upstream model with a system
prompt, attached knowledge and per-model filters, listed in ``GET /api/models`` and answering through
the official ``openai`` client; switched off, it is ``Model not found``."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import openai
import pytest

from services.common import messages
from tests.e2e.chat_support import (
    GPT,
    LLAMA,
    chat_calls,
    client,
    collection_with,
    get,
    installed,
    only_chat_call,
    post,
    processed_file,
    stream_chunks,
)
from tests.e2e.conftest import Account, Running
from tests.fakes.base import FakeServer, expected_text
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

SYSTEM = "You are the lighthouse keeper's assistant. Answer in one sentence."
LIGHTHOUSE = "The lighthouse lamp is lit at dusk by keeper Marguerite Olsen."
QUESTION = "Who lights the lighthouse lamp?"
LONG_PROMPT = "Tell me everything about the lighthouse, its keepers, its lamp and its long history, please."


@dataclass(frozen=True)
class Knowledge:
    owner: Account
    file_id: str
    knowledge_id: str


@pytest.fixture(scope="module")
def knowledge(running: Running, user: Account) -> Knowledge:
    file_id = processed_file(running, user, "lighthouse.txt", LIGHTHOUSE)
    knowledge_id = collection_with(running, user, "lighthouse-kb", file_id, QUESTION)
    return Knowledge(user, file_id, knowledge_id)


def model_form(model_id: str, base: str, **meta: object) -> dict:
    return {
        "id": model_id,
        "base_model_id": base,
        "name": model_id.replace("-", " ").title(),
        "params": {"system": SYSTEM},
        "meta": {"description": "a preset made by the tests", **meta},
        "access_grants": [],
        "is_active": True,
    }


@contextmanager
def preset(running: Running, form: dict) -> Iterator[dict]:
    """A workspace model created by the admin, deleted afterwards."""
    created = post(running, "/api/v1/models/create", running.admin, form)
    assert created.status_code == 200, created.text
    try:
        yield created.json()
    finally:
        post(running, "/api/v1/models/model/delete", running.admin, {"id": form["id"]})


def models_of(running: Running, account: Account) -> dict[str, dict]:
    reply = get(running, "/api/models", account)
    assert reply.status_code == 200, reply.text
    return {model["id"]: model for model in reply.json()["data"]}


def upstream_for(model: str, ollama: FakeOllama, openai_upstream: FakeOpenAI) -> FakeServer:
    return ollama if model == LLAMA else openai_upstream


@pytest.mark.parametrize("base", [LLAMA, GPT])
def test_preset_applies_its_system_prompt_and_knowledge(
    running: Running,
    knowledge: Knowledge,
    ollama: FakeOllama,
    openai_upstream: FakeOpenAI,
    base: str,
) -> None:
    kb = {"id": knowledge.knowledge_id, "name": "lighthouse-kb", "type": "collection"}
    with preset(running, model_form("lighthouse-helper", base, knowledge=[kb])) as row:
        assert (row["id"], row["base_model_id"], row["is_active"]) == ("lighthouse-helper", base, True)
        assert row["params"] == {"system": SYSTEM}

        listed = models_of(running, knowledge.owner)["lighthouse-helper"]
        assert listed["preset"] is True
        assert listed["name"] == "Lighthouse Helper"
        assert listed["owned_by"] == ("ollama" if base == LLAMA else "openai")
        assert listed["info"]["base_model_id"] == base
        assert listed["info"]["meta"]["knowledge"] == [kb]

        fake = upstream_for(base, ollama, openai_upstream)
        chat = client(running, knowledge.owner).chat.completions
        raw = chat.with_raw_response.create(
            model="lighthouse-helper", messages=[{"role": "user", "content": QUESTION}]
        )
        assert raw.status_code == 200
        call = only_chat_call(fake)
        # The base model answers, with the preset's system prompt first and the collection's
        # context in front of the question.
        assert call.json["model"] == base
        sent = call.json["messages"]
        assert [m["role"] for m in sent] == ["system", "user"]
        assert sent[0]["content"] == SYSTEM
        assert sent[1]["content"].startswith("### Task:")
        assert f'resource-id="{knowledge.knowledge_id}"' in sent[1]["content"]
        assert LIGHTHOUSE in sent[1]["content"]
        assert sent[1]["content"].endswith(f"</context>\n\n{QUESTION}")

        body = json.loads(raw.http_response.text)
        assert next(iter(body)) == "sources"
        [source] = body["sources"]
        assert source["source"]["id"] == knowledge.knowledge_id
        assert source["source"]["type"] == "collection"
        assert source["document"] == [LIGHTHOUSE]
        assert source["metadata"][0]["file_id"] == knowledge.file_id
        assert raw.parse().choices[0].message.content == expected_text(base, sent, len(sent))

        fake.reset()
        question = [{"role": "user", "content": QUESTION}]
        extras, text = stream_chunks(chat.create(model="lighthouse-helper", messages=question, stream=True))
        assert extras == [{"sources": body["sources"]}]
        sent = only_chat_call(fake).json["messages"]
        assert text == expected_text(base, sent, len(sent))


def test_preset_without_knowledge_sends_only_its_system_prompt(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    with preset(running, model_form("plain-helper", LLAMA)):
        hello = [{"role": "user", "content": "hello"}]
        chat = client(running, user).chat.completions
        raw = chat.with_raw_response.create(model="plain-helper", messages=hello)
        assert "sources" not in json.loads(raw.http_response.text)
        sent = only_chat_call(ollama).json["messages"]
        assert sent == [{"role": "system", "content": SYSTEM}, *hello]


def test_preset_filter_ids_attach_a_filter_to_that_model_only(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    # Active but not global: it runs only for models that name it in meta.filterIds.
    with (
        installed(running, "reject_for_preset", "inlet_reject_long"),
        preset(running, model_form("strict-helper", LLAMA, filterIds=["reject_for_preset"])),
    ):
        chat = client(running, user).chat.completions
        with pytest.raises(openai.BadRequestError) as refused:
            chat.create(model="strict-helper", messages=[{"role": "user", "content": LONG_PROMPT}])
        assert refused.value.response.json()["detail"].startswith("Prompt too long")
        assert chat_calls(ollama) == []
        chat.create(model=LLAMA, messages=[{"role": "user", "content": LONG_PROMPT}])
        assert len(chat_calls(ollama)) == 1


def test_inactive_preset_is_not_found(running: Running, user: Account, ollama: FakeOllama) -> None:
    with preset(running, model_form("sleepy-helper", LLAMA)):
        chat = client(running, user).chat.completions
        hello = [{"role": "user", "content": "hello"}]
        assert chat.create(model="sleepy-helper", messages=hello).choices[0].message.content

        toggled = post(running, "/api/v1/models/model/toggle?id=sleepy-helper", running.admin)
        assert toggled.status_code == 200, toggled.text
        assert toggled.json()["is_active"] is False
        assert "sleepy-helper" not in models_of(running, user)
        ollama.reset()
        with pytest.raises(openai.BadRequestError) as refused:
            chat.create(model="sleepy-helper", messages=hello)
        assert refused.value.response.json() == {"detail": messages.MODEL_NOT_FOUND_SHORT}
        assert chat_calls(ollama) == []

        toggled = post(running, "/api/v1/models/model/toggle?id=sleepy-helper", running.admin)
        assert toggled.json()["is_active"] is True
        assert chat.create(model="sleepy-helper", messages=hello).choices[0].message.content
    assert "sleepy-helper" not in models_of(running, user)
    with pytest.raises(openai.BadRequestError):
        client(running, user).chat.completions.create(
            model="sleepy-helper", messages=[{"role": "user", "content": "hello"}]
        )
