"""``/api/v1/tasks`` through the whole running stack: the task configuration (who may read and change
it), each task route on the fake upstreams, the disabled answers, missing and unknown models, and
the rendered prompt the upstream receives."""

from collections.abc import Iterator

import pytest
import requests

from services.common import messages
from tests.e2e.conftest import Account, Running
from tests.fakes.base import FakeServer, Recorded, expected_text
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

LLAMA = "llama3.2:latest"
GRANITE = "granite3.1-dense:8b"
GPT = "gpt-4o-mini"
GPT_41 = "gpt-4.1"
CHAT = [
    {"role": "user", "content": "Why is the sky blue?"},
    {"role": "assistant", "content": "Rayleigh scattering."},
    {"role": "user", "content": "And sunsets?"},
]
DEFAULT_CONFIG = {
    "TASK_MODEL": "",
    "TASK_MODEL_EXTERNAL": "",
    "TASK_MODEL_PARAMS": {},
    "TITLE_GENERATION_PROMPT_TEMPLATE": "",
    "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE": "",
    "ENABLE_AUTOCOMPLETE_GENERATION": False,
    "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH": -1,
    "AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE": "",
    "TAGS_GENERATION_PROMPT_TEMPLATE": "",
    "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE": "",
    "ENABLE_FOLLOW_UP_GENERATION": True,
    "ENABLE_TAGS_GENERATION": True,
    "ENABLE_TITLE_GENERATION": True,
    "ENABLE_SEARCH_QUERY_GENERATION": True,
    # Off by default here (docs/compatibility.md); Open WebUI: true.
    "ENABLE_RETRIEVAL_QUERY_GENERATION": False,
    "QUERY_GENERATION_PROMPT_TEMPLATE": "",
    "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE": "",
    "ENABLE_VOICE_MODE_PROMPT": True,
    "VOICE_MODE_PROMPT_TEMPLATE": "",
}
# Each route, a body for it, and how its built-in template starts.
ROUTES = {
    "title": ({"messages": CHAT, "chat_id": "c1"}, "### Task:\nGenerate a concise title summarizing"),
    "tags": ({"messages": CHAT}, "### Task:\nGenerate 1-3 broad tags categorizing"),
    "follow_up": ({"messages": CHAT}, "### Task:\nSuggest 3-5 relevant follow-up questions"),
    "queries": ({"messages": CHAT, "type": "web_search"}, "### Task:\nAnalyze the chat history to determine"),
    "auto": (
        {"prompt": "The sky is", "type": "General", "messages": CHAT},
        "### Task:\nYou are an autocompletion",
    ),
    "emoji": (
        {"prompt": "I won the lottery!"},
        "Your task is to reflect the speaker's likely facial expression",
    ),
    "image_prompt": ({"messages": CHAT}, "### Task:\nGenerate a detailed prompt for am image generation"),
    "moa": (
        {"prompt": "Why?", "responses": ["Because.", "Physics."]},
        'You have been provided with a set of responses from various models to the latest user query: "Why?"',
    ),
}


def post(running: Running, path: str, account: Account, body: object) -> requests.Response:
    return requests.post(f"{running.url}{path}", json=body, headers=account.headers, timeout=30)


def get_config(running: Running, account: Account) -> requests.Response:
    return requests.get(f"{running.url}/api/v1/tasks/config", headers=account.headers, timeout=10)


def update_config(running: Running, account: Account, **changes: object) -> requests.Response:
    body = {**get_config(running, running.admin).json(), **changes}
    return post(running, "/api/v1/tasks/config/update", account, body)


def last_chat(fake: FakeServer, path: str) -> Recorded:
    matching = [r for r in fake.requests if r.path == path]
    assert matching, f"the fake received nothing on {path}: {[r.path for r in fake.requests]}"
    return matching[-1]


def content(reply: requests.Response) -> str:
    assert reply.status_code == 200, reply.text
    return reply.json()["choices"][0]["message"]["content"]


@pytest.fixture
def restore_config(running: Running) -> Iterator[dict]:
    """The task config as found; put back after the test (other modules share the stack)."""
    before = get_config(running, running.admin).json()
    try:
        yield before
    finally:
        reply = post(running, "/api/v1/tasks/config/update", running.admin, before)
        assert reply.status_code == 200, reply.text


# -- config -----------------------------------------------------------------------------------------


def test_config_defaults_for_any_verified_user(running: Running, user: Account, pending: Account) -> None:
    reply = get_config(running, user)
    assert reply.status_code == 200
    assert reply.json() == DEFAULT_CONFIG
    assert list(reply.json()) == list(DEFAULT_CONFIG)
    refused = get_config(running, pending)
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})
    anonymous = requests.get(f"{running.url}/api/v1/tasks/config", timeout=10)
    assert anonymous.status_code == 401


def test_config_update_is_for_admins_and_applies_at_once(
    running: Running, user: Account, restore_config: dict
) -> None:
    refused = update_config(running, user, TASK_MODEL=GRANITE)
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})
    reply = update_config(
        running,
        running.admin,
        TASK_MODEL=GRANITE,
        TASK_MODEL_PARAMS=None,
        AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH=None,
        TITLE_GENERATION_PROMPT_TEMPLATE="Title for: {{MESSAGES:END:1}}",
    )
    assert reply.status_code == 200, reply.text
    stored = reply.json()
    assert list(stored) == list(DEFAULT_CONFIG)
    assert stored["TASK_MODEL"] == GRANITE
    assert stored["TASK_MODEL_PARAMS"] == {}
    assert stored["AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH"] == -1
    assert get_config(running, user).json() == stored


def test_config_update_validation(running: Running) -> None:
    body = dict(DEFAULT_CONFIG)
    del body["ENABLE_TITLE_GENERATION"]
    reply = post(running, "/api/v1/tasks/config/update", running.admin, body)
    assert reply.status_code == 422
    (error,) = reply.json()["detail"]
    assert error["type"] == "missing" and error["loc"] == ["body", "ENABLE_TITLE_GENERATION"]
    wrong = post(
        running, "/api/v1/tasks/config/update", running.admin, {**DEFAULT_CONFIG, "TASK_MODEL_PARAMS": 3}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "TASK_MODEL_PARAMS"]


# -- task routes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("task", list(ROUTES))
def test_each_route_runs_its_template_on_the_model(
    running: Running, user: Account, ollama: FakeOllama, restore_config: dict, task: str
) -> None:
    if task == "auto":
        assert update_config(running, running.admin, ENABLE_AUTOCOMPLETE_GENERATION=True).status_code == 200
    body, start = ROUTES[task]
    reply = post(running, f"/api/v1/tasks/{task}/completions", user, {"model": LLAMA, **body})
    asked = last_chat(ollama, "/api/chat").json
    assert asked["model"] == LLAMA and asked["stream"] is False
    (message,) = asked["messages"]
    assert message["role"] == "user" and message["content"].startswith(start), message["content"][:120]
    assert content(reply) == expected_text(LLAMA, asked["messages"], 1)
    if task == "emoji":
        assert asked["options"]["num_predict"] == 4
    if task == "title":
        assert asked["options"]["num_predict"] == 1000
        assert message["content"].endswith(
            "ASSISTANT: Rayleigh scattering.\nUSER: And sunsets?\n</chat_history>"
        )


def test_openai_models_and_task_model_external(
    running: Running, user: Account, openai_upstream: FakeOpenAI, restore_config: dict
) -> None:
    reply = post(running, "/api/v1/tasks/tags/completions", user, {"model": GPT, "messages": CHAT})
    assert last_chat(openai_upstream, "/v1/chat/completions").json["model"] == GPT
    assert content(reply)
    assert update_config(running, running.admin, TASK_MODEL_EXTERNAL=GPT_41).status_code == 200
    post(running, "/api/v1/tasks/tags/completions", user, {"model": GPT, "messages": CHAT})
    asked = last_chat(openai_upstream, "/v1/chat/completions").json
    assert asked["model"] == GPT_41
    assert asked["messages"][0]["content"].startswith("### Task:\nGenerate 1-3 broad tags")


def test_task_model_and_custom_template(
    running: Running, user: Account, ollama: FakeOllama, restore_config: dict
) -> None:
    changed = update_config(
        running,
        running.admin,
        TASK_MODEL=GRANITE,
        TASK_MODEL_PARAMS={"temperature": 0.25},
        TITLE_GENERATION_PROMPT_TEMPLATE="Name this chat for {{USER_NAME}}: {{prompt}}",
    )
    assert changed.status_code == 200, changed.text
    reply = post(running, "/api/v1/tasks/title/completions", user, {"model": LLAMA, "messages": CHAT})
    asked = last_chat(ollama, "/api/chat").json
    assert asked["model"] == GRANITE
    assert asked["options"]["temperature"] == 0.25 and "num_predict" not in asked["options"]
    assert asked["messages"] == [
        {"role": "user", "content": "Name this chat for Verified User: And sunsets?"}
    ]
    assert content(reply) == expected_text(GRANITE, asked["messages"], 1)
    # MoA runs on the chat model itself.
    post(running, "/api/v1/tasks/moa/completions", user, {"model": LLAMA, "prompt": "Q", "responses": ["A"]})
    assert last_chat(ollama, "/api/chat").json["model"] == LLAMA


def test_moa_streams_when_asked(running: Running, user: Account, ollama: FakeOllama) -> None:
    body = {"model": LLAMA, "prompt": "Why?", "responses": ["a", "b"], "stream": True}
    reply = post(running, "/api/v1/tasks/moa/completions", user, body)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.content.endswith(b"data: [DONE]\n\n")


def test_disabled_answers(running: Running, user: Account, ollama: FakeOllama, restore_config: dict) -> None:
    auto = post(running, "/api/v1/tasks/auto/completions", user, {"model": LLAMA, "prompt": "x"})
    assert (auto.status_code, auto.json()) == (400, {"detail": "Autocompletion generation is disabled"})
    changed = update_config(
        running,
        running.admin,
        ENABLE_TITLE_GENERATION=False,
        ENABLE_TAGS_GENERATION=False,
        ENABLE_FOLLOW_UP_GENERATION=False,
        ENABLE_SEARCH_QUERY_GENERATION=False,
        ENABLE_AUTOCOMPLETE_GENERATION=True,
        AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH=5,
    )
    assert changed.status_code == 200, changed.text
    for task, text in (
        ("title", "Title generation is disabled"),
        ("tags", "Tags generation is disabled"),
        ("follow_up", "Follow-up generation is disabled"),
    ):
        reply = post(running, f"/api/v1/tasks/{task}/completions", user, {"model": LLAMA, "messages": CHAT})
        assert (reply.status_code, reply.json()) == (200, {"detail": text})
    for kind, text in (
        ("web_search", "Search query generation is disabled"),
        ("retrieval", "Query generation is disabled"),
    ):
        body = {"model": LLAMA, "messages": CHAT, "type": kind}
        reply = post(running, "/api/v1/tasks/queries/completions", user, body)
        assert (reply.status_code, reply.json()) == (400, {"detail": text})
    long = post(running, "/api/v1/tasks/auto/completions", user, {"model": LLAMA, "prompt": "too long"})
    assert (long.status_code, long.json()) == (400, {"detail": "Input prompt exceeds maximum length of 5"})
    assert not [r for r in ollama.requests if r.path == "/api/chat"]


def test_missing_and_unknown_models(
    running: Running, user: Account, pending: Account, restore_config: dict
) -> None:
    assert update_config(running, running.admin, ENABLE_AUTOCOMPLETE_GENERATION=True).status_code == 200
    empty = post(running, "/api/v1/tasks/title/completions", user, {"model": "", "messages": CHAT})
    no_model_text = (
        "No model specified for title generation. Please ensure a model is selected for this chat."
    )
    assert (empty.status_code, empty.json()) == (400, {"detail": no_model_text})
    missing = post(running, "/api/v1/tasks/title/completions", user, {"messages": CHAT})
    assert (missing.status_code, missing.json()) == (400, {"detail": no_model_text})
    for task in ROUTES:
        reply = post(running, f"/api/v1/tasks/{task}/completions", user, {"prompt": "x", "messages": CHAT})
        assert reply.status_code == 400, (task, reply.text)
        assert reply.json()["detail"].startswith("No model specified for "), reply.text
        unknown = post(
            running, f"/api/v1/tasks/{task}/completions", user, {"model": "nope:1b", "prompt": "x"}
        )
        assert (unknown.status_code, unknown.json()) == (404, {"detail": "Model '' was not found"})
    not_object = post(running, "/api/v1/tasks/emoji/completions", user, ["model"])
    assert not_object.status_code == 422
    refused = post(running, "/api/v1/tasks/emoji/completions", pending, {"model": LLAMA, "prompt": "x"})
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})


def test_upstream_failure_answers_the_routes_error(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    ollama.fail_status = 500
    ollama.fail_body = {"error": "model crashed"}
    title = post(running, "/api/v1/tasks/title/completions", user, {"model": LLAMA, "messages": CHAT})
    assert (title.status_code, title.json()) == (400, {"detail": "An internal error has occurred."})
    tags = post(running, "/api/v1/tasks/tags/completions", user, {"model": LLAMA, "messages": CHAT})
    assert (tags.status_code, tags.json()) == (500, {"detail": "An internal error has occurred."})
    emoji = post(running, "/api/v1/tasks/emoji/completions", user, {"model": LLAMA, "prompt": "x"})
    assert emoji.status_code == 400 and emoji.json()["detail"]
