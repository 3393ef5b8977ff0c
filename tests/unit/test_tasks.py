"""Open WebUI's tasks without I/O: the template renderer, the task model rule, answer parsing, the
stored configuration, and TaskService over fakes of the model directory and the chat pipeline."""

import time
from collections.abc import AsyncIterator

import orjson
import pytest

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument, NotFound, Unauthenticated, Unavailable
from services.common.forms.tasks import TASK_CONFIG_KEYS, TaskConfigForm
from services.common.identity import Identity
from services.inference.rag.retrieval import RagConfig, Retrieval
from services.inference.replies import Head, Part, dumps
from services.inference.tasks import templates
from services.inference.tasks.config import TaskConfig, TaskConfigStore, from_form, merged
from services.inference.tasks.core import TaskService
from services.inference.tasks.model_choice import task_model_id, task_params, title_max_tokens
from services.inference.tasks.parse import (
    answer_object,
    answer_text,
    parse_follow_ups,
    parse_tags,
    parse_title,
)
from services.inference.tasks.render import (
    TaskUser,
    render_autocomplete,
    render_chat_task,
    render_emoji,
    render_moa,
    replace_common,
    replace_messages,
    replace_prompt,
)
from services.inference.tools.calling import ToolSet
from services.inference.workspace.records import WorkspaceModel

CHAT = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "first question"},
    {"role": "assistant", "content": "first answer"},
    {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "image_url", "image_url": {}}]},
]
# 2024-03-05 (a Tuesday) 14:07:09 local time.
NOON = time.mktime((2024, 3, 5, 14, 7, 9, 0, 0, -1))


# -- renderer ---------------------------------------------------------------------------------------


def test_messages_variables_select_and_render_role_lines() -> None:
    assert replace_messages("{{MESSAGES}}", CHAT).splitlines() == [
        "SYSTEM: be brief",
        "USER: first question",
        "ASSISTANT: first answer",
        "USER: second",
    ]
    assert replace_messages("{{MESSAGES:START:1}}", CHAT) == "SYSTEM: be brief"
    assert replace_messages("{{MESSAGES:END:2}}", CHAT) == "ASSISTANT: first answer\nUSER: second"
    assert replace_messages("[{{MESSAGES:END:9}}]", CHAT) == f"[{replace_messages('{{MESSAGES}}', CHAT)}]"


def test_messages_middle_truncation_keeps_both_ends() -> None:
    assert replace_messages("{{MESSAGES:MIDDLETRUNCATE:2}}", CHAT) == "SYSTEM: be brief\nUSER: second"
    # An odd count keeps one more at the end, as Open WebUI does.
    assert replace_messages("{{MESSAGES:MIDDLETRUNCATE:3}}", CHAT) == (
        "SYSTEM: be brief\nASSISTANT: first answer\nUSER: second"
    )
    assert replace_messages("{{MESSAGES:MIDDLETRUNCATE:9}}", CHAT) == replace_messages("{{MESSAGES}}", CHAT)


def test_messages_that_are_not_a_list_render_empty() -> None:
    assert replace_messages("<{{MESSAGES:END:2}}>", None) == "<>"
    assert replace_messages("<{{MESSAGES}}>", [1, "x", {"role": "user", "content": "ok"}]) == "<USER: ok>"


def test_prompt_variables_any_case() -> None:
    prompt = "abcdefghij"
    assert replace_prompt("{{prompt}}|{{PROMPT}}", prompt) == "abcdefghij|abcdefghij"
    assert replace_prompt("{{prompt:start:3}}", prompt) == "abc"
    assert replace_prompt("{{prompt:end:3}}", prompt) == "hij"
    assert replace_prompt("{{prompt:middletruncate:5}}", prompt) == "abc...ij"
    assert replace_prompt("{{prompt:middletruncate:20}}", prompt) == prompt


def test_date_time_and_user_variables() -> None:
    text = replace_common(
        "{{CURRENT_DATE}}|{{CURRENT_TIME}}|{{CURRENT_DATETIME}}|{{CURRENT_WEEKDAY}}|{{USER_NAME}}|"
        "{{USER_EMAIL}}|{{USER_LOCATION}}|{{USER_BIO}}|{{USER_GROUPS}}",
        TaskUser("Ada", "ada@example.com"),
        NOON,
    )
    assert text == "2024-03-05|02:07:09 PM|2024-03-05 02:07:09 PM|Tuesday|Ada|ada@example.com|Unknown||"
    assert replace_common("{{USER_NAME}}", None, NOON) == "Unknown"


def test_title_template_renders_the_last_two_messages() -> None:
    content = render_chat_task(templates.DEFAULT_TITLE_GENERATION_PROMPT_TEMPLATE, CHAT, None, NOON)
    assert content.startswith("### Task:\nGenerate a concise title summarizing the chat history.")
    assert content.endswith("<chat_history>\nASSISTANT: first answer\nUSER: second\n</chat_history>")


def test_query_template_has_the_date() -> None:
    content = render_chat_task(templates.DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE, CHAT, None, NOON)
    assert "- Today's date is: 2024-03-05." in content
    assert "{{" not in content


def test_autocomplete_emoji_and_moa_templates() -> None:
    auto = render_autocomplete(
        templates.DEFAULT_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE, "The sky", "General", CHAT, None, NOON
    )
    assert "<type>General</type>  \n<text>The sky</text>  \n#### Output:\n" in auto
    emoji = render_emoji(templates.DEFAULT_EMOJI_GENERATION_PROMPT_TEMPLATE, "I won!", None, NOON)
    assert emoji.endswith("Message: ```I won!```")
    moa = render_moa(templates.DEFAULT_MOA_GENERATION_PROMPT_TEMPLATE, "Why?", ["A", "B"], NOON)
    assert moa.startswith(
        'You have been provided with a set of responses from various models to the latest user query: "Why?"'
    )
    assert moa.endswith('Responses from models: """A"""\n\n"""B"""')


def test_built_in_templates_are_open_webuis() -> None:
    for template in (
        templates.DEFAULT_TITLE_GENERATION_PROMPT_TEMPLATE,
        templates.DEFAULT_TAGS_GENERATION_PROMPT_TEMPLATE,
        templates.DEFAULT_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
        templates.DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE,
        templates.DEFAULT_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE,
        templates.DEFAULT_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE,
    ):
        assert template.startswith("### Task:\n")
    assert '{ "tags": ["tag1", "tag2", "tag3"] }' in templates.DEFAULT_TAGS_GENERATION_PROMPT_TEMPLATE
    assert "user\u2019s point of view" in templates.DEFAULT_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE
    assert "{{MESSAGES:END:2}}" in templates.DEFAULT_TITLE_GENERATION_PROMPT_TEMPLATE


# -- task model -------------------------------------------------------------------------------------

MODELS = {
    "llama": {"id": "llama", "connection_type": "local"},
    "tiny": {"id": "tiny", "connection_type": "local"},
    "gpt": {"id": "gpt", "connection_type": "external"},
    "mini": {"id": "mini", "connection_type": "external"},
    "pipe": {"id": "pipe"},
}


def test_local_models_use_task_model_others_task_model_external() -> None:
    assert task_model_id("llama", MODELS, "tiny", "mini") == "tiny"
    assert task_model_id("gpt", MODELS, "tiny", "mini") == "mini"
    # A model without a connection type (a pipe) counts as external.
    assert task_model_id("pipe", MODELS, "tiny", "mini") == "mini"


def test_task_model_unset_or_absent_keeps_the_chat_model() -> None:
    assert task_model_id("llama", MODELS, "", "mini") == "llama"
    assert task_model_id("llama", MODELS, "gone", "mini") == "llama"
    assert task_model_id("gpt", MODELS, "tiny", "") == "gpt"
    assert task_model_id("gpt", MODELS, "tiny", "gone") == "gpt"


def test_task_params_drop_empty_values_and_title_max_tokens() -> None:
    assert task_params({"stream": True, "messages": [], "model": "x", "metadata": {}}) == {}
    assert task_params({"temperature": 0, "stop": None, "seed": "", "top_p": 0.5}) == {
        "temperature": 0,
        "top_p": 0.5,
    }
    assert title_max_tokens(None) == 1000
    assert title_max_tokens({"temperature": 1}) == 1000
    assert title_max_tokens({"max_tokens": 50}) == 50


# -- answer parsing ---------------------------------------------------------------------------------


def test_answer_object_is_the_text_between_the_outer_braces() -> None:
    assert answer_object('Sure! ```json\n{"title": "Cats"}\n``` done') == {"title": "Cats"}
    assert answer_object('{"a": {"b": 1}}') == {"a": {"b": 1}}
    assert answer_object("no json here") is None
    assert answer_object("} backwards {") is None
    assert answer_object("{not json}") is None
    assert answer_object("[1, 2]") is None


def test_title_falls_back_to_the_first_message() -> None:
    assert parse_title('{"title": "Stock Trends"}', CHAT) == "Stock Trends"
    assert parse_title("nonsense", CHAT) == "be brief"
    assert parse_title('{"title": ""}', [{"role": "user", "content": "hello there"}]) == "hello there"
    assert parse_title("nonsense", []) == ""


def test_tags_and_follow_ups_are_string_lists() -> None:
    assert parse_tags('x {"tags": ["Science", 3, "Physics"]} y') == ["Science", "Physics"]
    assert parse_tags('{"tags": "Science"}') == []
    assert parse_follow_ups('{"follow_ups": ["Why?", "How?"]}') == ["Why?", "How?"]
    assert parse_follow_ups("") == []


def test_answer_text_reads_the_first_choice() -> None:
    reply = {"choices": [{"message": {"role": "assistant", "content": '{"title": "X"}'}}]}
    assert answer_text(reply) == '{"title": "X"}'
    assert answer_text({"choices": []}) == ""
    assert answer_text("text") == ""


# -- configuration ----------------------------------------------------------------------------------


def _form(**changes: object) -> dict:
    form = TaskConfig().to_json()
    form.update(changes)
    return form


def test_config_json_has_open_webuis_keys_and_defaults() -> None:
    config = TaskConfig().to_json()
    assert list(config) == list(TASK_CONFIG_KEYS)
    assert config["TASK_MODEL_PARAMS"] == {}
    assert config["AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH"] == -1
    assert config["ENABLE_AUTOCOMPLETE_GENERATION"] is False
    assert config["ENABLE_TITLE_GENERATION"] is True


def test_form_nulls_become_defaults() -> None:
    defaults = TaskConfig(autocomplete_generation_input_max_length=77)
    form = TaskConfigForm.model_validate(
        _form(
            TASK_MODEL=None,
            TASK_MODEL_PARAMS=None,
            AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH=None,
            VOICE_MODE_PROMPT_TEMPLATE=None,
        )
    )
    config = from_form(form, defaults)
    assert (config.task_model, config.task_model_params, config.voice_mode_prompt_template) == ("", {}, "")
    assert config.autocomplete_generation_input_max_length == 77


def test_form_requires_every_key_but_two() -> None:
    optional = {"TASK_MODEL_PARAMS", "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH"}
    for key in TASK_CONFIG_KEYS:
        body = {k: v for k, v in _form().items() if k != key}
        if key in optional:
            TaskConfigForm.model_validate(body)
        else:
            with pytest.raises(ValueError, match=key):
                TaskConfigForm.model_validate(body)


def test_stored_object_over_defaults_ignores_wrong_types() -> None:
    defaults = TaskConfig(task_model="env-model")
    config = merged(
        {"ENABLE_TITLE_GENERATION": False, "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH": True}, defaults
    )
    assert config.enable_title_generation is False
    assert config.task_model == "env-model"
    assert config.autocomplete_generation_input_max_length == -1


class MemoryRows:
    def __init__(self) -> None:
        self.stored: dict | None = None
        self.loads = 0

    async def load(self) -> dict | None:
        self.loads += 1
        return self.stored

    async def save(self, config: dict) -> None:
        self.stored = orjson.loads(orjson.dumps(config))


async def test_store_reads_at_most_once_per_ttl_and_sees_other_replicas_after_it() -> None:
    now = [100.0]
    rows = MemoryRows()
    store = TaskConfigStore(rows, TaskConfig(), ttl_s=1.0, clock=lambda: now[0])
    other = TaskConfigStore(rows, TaskConfig(), ttl_s=1.0, clock=lambda: now[0])
    assert (await store.get()).enable_title_generation is True
    await store.get()
    assert rows.loads == 1
    await other.update(TaskConfigForm.model_validate(_form(ENABLE_TITLE_GENERATION=False)))
    assert (await store.get()).enable_title_generation is True
    now[0] += 1.0
    assert (await store.get()).enable_title_generation is False
    assert (await other.get()).enable_title_generation is False


# -- TaskService --------------------------------------------------------------------------------------

USER = Identity("u1", "user", "Ada", "ada@example.com", credential="token")
ADMIN = Identity("a1", "admin", "Admin", "admin@example.com", credential="token")
REPLY = {"id": "x", "choices": [{"message": {"role": "assistant", "content": '{"title": "Cats"}'}}]}


class FakeDirectory:
    async def all_models(self) -> dict[str, dict]:
        return MODELS


class FakeWorkspace:
    def __init__(self, rows: dict[str, WorkspaceModel] | None = None) -> None:
        self._rows = rows or {}

    async def rows(self) -> dict[str, WorkspaceModel]:
        return self._rows


class FakePipeline:
    """Records each body; answers ``parts`` or raises ``error`` before anything."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.error: Exception | None = None
        self.parts: list[Part] = [Head(200, {"Content-Type": "application/json"}), dumps(REPLY)]

    async def complete(self, caller: Identity, body: object) -> AsyncIterator[Part]:
        assert isinstance(body, dict)
        self.bodies.append(body)
        if self.error is not None:
            raise self.error
        for part in self.parts:
            yield part


def _service(config: TaskConfig | None = None, rows: dict | None = None) -> tuple[TaskService, FakePipeline]:
    store = TaskConfigStore(MemoryRows(), config or TaskConfig(), ttl_s=0)
    pipeline = FakePipeline()
    service = TaskService(store, FakeDirectory(), FakeWorkspace(rows), pipeline)  # type: ignore[arg-type]
    return service, pipeline


async def _run(service: TaskService, task: str, body: object, caller: Identity = USER) -> list[Part]:
    return [part async for part in service.run(caller, task, body)]


async def test_title_sends_one_user_message_without_streaming() -> None:
    service, pipeline = _service()
    parts = await _run(service, "title", {"model": "llama", "messages": CHAT, "chat_id": "c1"})
    assert parts == [Head(200, {"Content-Type": "application/json"}), dumps(REPLY)]
    (body,) = pipeline.bodies
    assert body["model"] == "llama" and body["stream"] is False and body["max_tokens"] == 1000
    (message,) = body["messages"]
    assert message["role"] == "user" and message["content"].startswith("### Task:\nGenerate a concise title")
    assert body["metadata"]["task"] == "title_generation" and body["metadata"]["chat_id"] == "c1"


async def test_task_model_params_and_emoji_cap() -> None:
    config = TaskConfig(task_model="tiny", task_model_params={"temperature": 0.1, "seed": ""})
    service, pipeline = _service(config)
    await _run(service, "title", {"model": "llama", "messages": CHAT})
    await _run(service, "emoji", {"model": "llama", "prompt": "yay"})
    title, emoji = pipeline.bodies
    assert title["model"] == "tiny" and title["temperature"] == 0.1 and "max_tokens" not in title
    assert "seed" not in title
    assert emoji["model"] == "tiny" and emoji["max_tokens"] == 4


async def test_title_max_tokens_from_the_task_models_row() -> None:
    row = WorkspaceModel("llama", "a1", None, "Llama", {"max_tokens": 64}, {}, [], True, 0, 0)
    service, pipeline = _service(rows={"llama": row})
    await _run(service, "title", {"model": "llama", "messages": CHAT})
    assert pipeline.bodies[0]["max_tokens"] == 64


async def test_moa_uses_the_chat_model_and_may_stream() -> None:
    service, pipeline = _service(TaskConfig(task_model="tiny"))
    await _run(service, "moa", {"model": "llama", "prompt": "Q", "responses": ["a"], "stream": True})
    assert pipeline.bodies[0]["model"] == "llama" and pipeline.bodies[0]["stream"] is True


async def test_disabled_tasks() -> None:
    config = TaskConfig(
        enable_title_generation=False,
        enable_tags_generation=False,
        enable_follow_up_generation=False,
        enable_search_query_generation=False,
        enable_retrieval_query_generation=False,
    )
    service, pipeline = _service(config)
    for task, text in (
        ("title", messages.TITLE_GENERATION_DISABLED),
        ("tags", messages.TAGS_GENERATION_DISABLED),
        ("follow_up", messages.FOLLOW_UP_GENERATION_DISABLED),
    ):
        head, body = await _run(service, task, {"model": "llama"})
        assert head == Head(200, {"Content-Type": "application/json"})
        assert orjson.loads(body) == {"detail": text}
    for kind, text in (
        ("web_search", messages.SEARCH_QUERY_GENERATION_DISABLED),
        ("retrieval", messages.QUERY_GENERATION_DISABLED),
    ):
        with pytest.raises(InvalidArgument, match=text):
            await _run(service, "queries", {"model": "llama", "type": kind})
    with pytest.raises(InvalidArgument, match=messages.AUTOCOMPLETE_GENERATION_DISABLED):
        await _run(service, "auto", {"model": "llama", "prompt": "x"})
    assert pipeline.bodies == []


async def test_autocomplete_prompt_length_limit() -> None:
    service, _ = _service(
        TaskConfig(enable_autocomplete_generation=True, autocomplete_generation_input_max_length=3)
    )
    with pytest.raises(InvalidArgument, match="Input prompt exceeds maximum length of 3"):
        await _run(service, "auto", {"model": "llama", "prompt": "long"})
    assert len(await _run(service, "auto", {"model": "llama", "prompt": "abc"})) == 2


async def test_missing_and_unknown_models() -> None:
    service, _ = _service()
    with pytest.raises(InvalidArgument, match="No model specified for title generation"):
        await _run(service, "title", {"model": "", "messages": CHAT})
    with pytest.raises(InvalidArgument, match="No model specified for tags generation") as missing:
        await _run(service, "tags", {"messages": CHAT})
    assert missing.value.http_status is None
    with pytest.raises(NotFound, match=r"^Model '' was not found$"):
        await _run(service, "tags", {"model": "", "messages": CHAT})
    with pytest.raises(NotFound, match=r"^Model '' was not found$"):
        await _run(service, "emoji", {"model": "nope", "prompt": "x"})


@pytest.mark.parametrize(
    ("task", "status", "text"),
    [
        ("title", 400, messages.TASK_INTERNAL_ERROR),
        ("tags", 500, messages.TASK_INTERNAL_ERROR),
        ("follow_up", 400, messages.TASK_INTERNAL_ERROR),
        ("queries", 400, "Model not found"),
        ("auto", 500, messages.TASK_INTERNAL_ERROR),
        ("emoji", 400, "Model not found"),
        ("image_prompt", 400, messages.TASK_INTERNAL_ERROR),
        ("moa", 400, "Model not found"),
    ],
)
async def test_failures_answer_each_routes_status_and_text(task: str, status: int, text: str) -> None:
    service, pipeline = _service(TaskConfig(enable_autocomplete_generation=True))
    pipeline.error = InvalidArgument("Model not found")
    with pytest.raises(InvalidArgument) as failed:
        await _run(service, task, {"model": "llama", "messages": CHAT, "prompt": "p", "responses": []})
    assert (failed.value.http_status, failed.value.detail) == (status, text)


async def test_upstream_error_replies_and_outages() -> None:
    service, pipeline = _service()
    pipeline.parts = [Head(500), dumps({"error": {"message": "boom"}})]
    with pytest.raises(InvalidArgument) as failed:
        await _run(service, "emoji", {"model": "llama", "prompt": "p"})
    assert (failed.value.http_status, failed.value.detail) == (400, "boom")
    pipeline.error = BadGateway("Open WebUI: Server Connection Error")
    with pytest.raises(InvalidArgument):
        await _run(service, "title", {"model": "llama", "messages": CHAT})
    pipeline.error = Unavailable("down")
    with pytest.raises(Unavailable):
        await _run(service, "title", {"model": "llama", "messages": CHAT})


async def test_config_update_is_for_admins() -> None:
    service, _ = _service()
    with pytest.raises(Unauthenticated, match="permission"):
        await service.update_config(USER, _form())
    with pytest.raises(InvalidArgument):
        await service.update_config(ADMIN, {"TASK_MODEL": "x"})
    stored = await service.update_config(ADMIN, _form(TASK_MODEL="tiny"))
    assert stored.task_model == "tiny"
    assert (await service.config(USER)).task_model == "tiny"


async def test_retrieval_reads_query_generation_from_the_task_config() -> None:
    prompts: list[str] = []

    async def stored() -> tuple[bool, str]:
        return True, "Q: {{MESSAGES:END:1}}"

    async def generate(prompt: str) -> str:
        prompts.append(prompt)
        return '{"queries": ["sky color"]}'

    retrieval = Retrieval(None, RagConfig(query_generation=False), stored)  # type: ignore[arg-type]
    assert await retrieval.queries(CHAT, generate) == ["sky color"]
    assert prompts == ["Q: USER: second"]


async def test_tool_selection_asks_the_task_model_with_the_stored_template() -> None:
    config = TaskConfig(
        task_model="tiny",
        task_model_params={"temperature": 0.1},
        tools_function_calling_prompt_template="Pick from {{TOOLS}}",
    )
    service, pipeline = _service(config)
    pipeline.parts = [Head(200), dumps({"choices": [{"message": {"content": '{"tool_calls": []}'}}]})]
    tools = ToolSet([])
    history = [{"role": "user", "content": "Weather?"}]
    assert await service.select_tools(USER, "llama", tools, history) == '{"tool_calls": []}'
    (body,) = pipeline.bodies
    assert body["model"] == "tiny" and body["stream"] is False and body["temperature"] == 0.1
    assert body["metadata"] == {"task": "function_calling"}
    assert body["messages"] == [
        {"role": "system", "content": "Pick from []"},
        {"role": "user", "content": "Query: Weather?"},
    ]
    pipeline.parts = [Head(500), dumps({"error": {"message": "boom"}})]
    assert await service.select_tools(USER, "llama", tools, history) == ""
    pipeline.error = BadGateway("down")
    assert await service.select_tools(USER, "llama", tools, history) == ""
