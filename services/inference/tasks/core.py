"""``/api/v1/tasks``: the config, and each task as Open WebUI runs it: checks, the task model, one
user message rendered from the template, then the normal chat completion path as the caller."""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from pydantic import ValidationError

from services.common import messages
from services.common.errors import (
    BadGateway,
    InvalidArgument,
    NotFound,
    ServiceError,
    Unauthenticated,
    Unavailable,
)
from services.common.forms.tasks import TaskConfigForm
from services.common.identity import Identity
from services.inference.model_directory import ModelDirectory
from services.inference.pipeline import ChatPipeline
from services.inference.replies import Head, Part, json_reply, loads
from services.inference.tasks import templates
from services.inference.tasks.config import TaskConfig, TaskConfigStore
from services.inference.tasks.model_choice import (
    EMOJI_MAX_TOKENS,
    task_model_id,
    task_params,
    title_max_tokens,
)
from services.inference.tasks.render import (
    TaskUser,
    render_autocomplete,
    render_chat_task,
    render_emoji,
    render_moa,
)
from services.inference.tools.calling import ToolSet
from services.inference.tools.legacy import SELECTION_TASK, selection_messages
from services.inference.workspace.catalog import WorkspaceCatalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskKind:
    """One task route's fixed parts."""

    name: str
    # Open WebUI's `metadata.task` value, which filters may read.
    task: str
    # What the task is called in the text answering a request without a model.
    label: str
    # How the route answers a failure of the completion: its status, and its text (None: the
    # failure's own text).
    failure_status: int
    failure_text: str | None
    # False for MoA, which runs on the chat model itself.
    uses_task_model: bool = True


_INTERNAL = messages.TASK_INTERNAL_ERROR
TASKS = {
    kind.name: kind
    for kind in (
        TaskKind("title", "title_generation", "title generation", 400, _INTERNAL),
        TaskKind("tags", "tags_generation", "tags generation", 500, _INTERNAL),
        TaskKind("follow_up", "follow_up_generation", "follow-up generation", 400, _INTERNAL),
        TaskKind("queries", "query_generation", "query generation", 400, None),
        TaskKind("auto", "autocomplete_generation", "autocompletion", 500, _INTERNAL),
        TaskKind("emoji", "emoji_generation", "emoji generation", 400, None),
        TaskKind("image_prompt", "image_prompt_generation", "image prompt generation", 400, _INTERNAL),
        TaskKind(
            "moa",
            "moa_response_generation",
            "the mixture of agents response",
            400,
            None,
            uses_task_model=False,
        ),
    )
}


def _failure(kind: TaskKind, text: str) -> InvalidArgument:
    return InvalidArgument(kind.failure_text or text or _INTERNAL, http_status=kind.failure_status)


def _error_text(raw: bytes) -> str:
    """The message of an upstream's error body (OpenAI, Ollama or FastAPI shaped)."""
    try:
        body = loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        for key in ("error", "detail", "message"):
            if isinstance(body.get(key), str):
                return body[key]
    return raw.decode("utf-8", "replace")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class TaskService:
    def __init__(
        self,
        store: TaskConfigStore,
        directory: ModelDirectory,
        workspace: WorkspaceCatalog,
        pipeline: ChatPipeline,
    ) -> None:
        self._store = store
        self._directory = directory
        self._workspace = workspace
        self._pipeline = pipeline

    async def config(self, caller: Identity) -> TaskConfig:
        return await self._store.get()

    async def update_config(self, caller: Identity, form_json: object) -> TaskConfig:
        if not caller.is_admin:
            raise Unauthenticated(messages.ACCESS_PROHIBITED)
        try:
            form = TaskConfigForm.model_validate(form_json)
        except ValidationError as error:
            raise InvalidArgument(f"Invalid task config form: {error.errors(include_url=False)}") from None
        return await self._store.update(form)

    async def run(self, caller: Identity, task: str, body: object) -> AsyncIterator[Part]:
        """The task's reply as the chat completion path gives it (a Head, then body bytes)."""
        kind = TASKS.get(task)
        if kind is None:
            raise InvalidArgument(f"Unknown task: {task}")
        if not isinstance(body, dict):
            raise InvalidArgument("The request body must be a JSON object")
        config = await self._store.get()
        disabled = self._disabled(kind, config, body)
        if disabled is not None:
            for part in json_reply({"detail": disabled}):
                yield part
            return
        model_id = body.get("model")
        if not isinstance(model_id, str) or (kind.name == "title" and not model_id):
            raise InvalidArgument(messages.task_model_required(kind.label))
        models = await self._directory.all_models()
        if model_id not in models:
            raise NotFound(messages.model_not_found(""))
        chosen = model_id
        if kind.uses_task_model:
            chosen = task_model_id(model_id, models, config.task_model, config.task_model_external)
        payload = await self._payload(kind, config, body, chosen, caller)
        async for part in self._complete(kind, caller, payload):
            yield part

    @staticmethod
    def _disabled(kind: TaskKind, config: TaskConfig, body: dict) -> str | None:
        """The 200 ``{"detail"}`` text of a switched-off task; raises for those Open WebUI refuses
        with 400."""
        if kind.name == "title" and not config.enable_title_generation:
            return messages.TITLE_GENERATION_DISABLED
        if kind.name == "tags" and not config.enable_tags_generation:
            return messages.TAGS_GENERATION_DISABLED
        if kind.name == "follow_up" and not config.enable_follow_up_generation:
            return messages.FOLLOW_UP_GENERATION_DISABLED
        if kind.name == "queries":
            if body.get("type") == "web_search" and not config.enable_search_query_generation:
                raise InvalidArgument(messages.SEARCH_QUERY_GENERATION_DISABLED)
            if body.get("type") == "retrieval" and not config.enable_retrieval_query_generation:
                raise InvalidArgument(messages.QUERY_GENERATION_DISABLED)
        if kind.name == "auto":
            if not config.enable_autocomplete_generation:
                raise InvalidArgument(messages.AUTOCOMPLETE_GENERATION_DISABLED)
            limit = config.autocomplete_generation_input_max_length
            if limit > 0 and len(_text(body.get("prompt"))) > limit:
                raise InvalidArgument(messages.prompt_too_long(limit))
        return None

    def _content(self, kind: TaskKind, config: TaskConfig, body: dict, user: TaskUser) -> str:
        history = body.get("messages")
        if kind.name == "auto":
            template = config.autocomplete_generation_prompt_template
            return render_autocomplete(
                template or templates.DEFAULT_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE,
                _text(body.get("prompt")),
                _text(body.get("type")),
                history,
                user,
            )
        if kind.name == "emoji":
            return render_emoji(
                templates.DEFAULT_EMOJI_GENERATION_PROMPT_TEMPLATE, _text(body.get("prompt")), user
            )
        if kind.name == "moa":
            responses = body.get("responses")
            listed = [str(r) for r in responses] if isinstance(responses, list) else []
            return render_moa(
                templates.DEFAULT_MOA_GENERATION_PROMPT_TEMPLATE, _text(body.get("prompt")), listed
            )
        template = {
            "title": config.title_generation_prompt_template
            or templates.DEFAULT_TITLE_GENERATION_PROMPT_TEMPLATE,
            "tags": config.tags_generation_prompt_template
            or templates.DEFAULT_TAGS_GENERATION_PROMPT_TEMPLATE,
            "follow_up": config.follow_up_generation_prompt_template
            or templates.DEFAULT_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
            "queries": config.query_generation_prompt_template
            or templates.DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE,
            "image_prompt": config.image_prompt_generation_prompt_template
            or templates.DEFAULT_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE,
        }[kind.name]
        return render_chat_task(template, history, user)

    async def _payload(
        self, kind: TaskKind, config: TaskConfig, body: dict, model_id: str, caller: Identity
    ) -> dict:
        content = self._content(kind, config, body, TaskUser(caller.name, caller.email))
        payload: dict = {
            "model": model_id,
            "messages": [{"role": "user", "content": content}],
            "stream": bool(body.get("stream")) if kind.name == "moa" else False,
            "metadata": {"task": kind.task, "task_body": body, "chat_id": body.get("chat_id")},
        }
        if kind.name == "moa":
            return payload
        params = task_params(config.task_model_params)
        payload.update(params)
        if kind.name == "title" and not params:
            row = (await self._workspace.rows()).get(model_id)
            payload["max_tokens"] = title_max_tokens(row.params if row is not None else None)
        if kind.name == "emoji":
            payload["max_tokens"] = EMOJI_MAX_TOKENS
        return payload

    async def _complete(self, kind: TaskKind, caller: Identity, payload: dict) -> AsyncIterator[Part]:
        parts = self._pipeline.complete(caller, payload)
        try:
            head = await anext(parts)
        except StopAsyncIteration:
            raise _failure(kind, messages.SERVER_CONNECTION_ERROR) from None
        except Unavailable as error:
            if not isinstance(error, BadGateway):
                # The database or a backend is down: answered 503 as everywhere, not as a task failure.
                raise
            raise _failure(kind, error.detail) from None
        except ServiceError as error:
            log.info("task %s failed: %s", kind.name, error.detail)
            raise _failure(kind, error.detail) from None
        assert isinstance(head, Head)
        if head.status >= 400:
            raw = b"".join([part async for part in parts if isinstance(part, bytes)])
            log.info("task %s: the completion answered %d", kind.name, head.status)
            raise _failure(kind, _error_text(raw))
        yield head
        async for part in parts:
            yield part

    async def select_tools(self, caller: Identity, model_id: str, tools: ToolSet, history: list) -> str:
        """Prompt-based tool calling's extra completion: the task model's pick of ``tools`` for
        the chat, as text ("" when it failed: the chat then goes on without tools, as in Open WebUI)."""
        config = await self._store.get()
        models = await self._directory.all_models()
        chosen = task_model_id(model_id, models, config.task_model, config.task_model_external)
        payload: dict = {
            **task_params(config.task_model_params),
            "model": chosen,
            "messages": selection_messages(config.tools_function_calling_prompt_template, tools, history),
            "stream": False,
            "metadata": {"task": SELECTION_TASK},
        }
        try:
            parts = [part async for part in self._pipeline.complete(caller, payload)]
        except ServiceError as error:
            log.info("tool selection failed: %s", error.detail)
            return ""
        head = parts[0] if parts else None
        if not isinstance(head, Head) or head.status >= 400 or head.streaming:
            return ""
        try:
            reply = loads(b"".join(p for p in parts[1:] if isinstance(p, bytes)))
        except ValueError:
            return ""
        choices = reply.get("choices") if isinstance(reply, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return ""
        message = choices[0].get("message")
        return _text(message.get("content")) if isinstance(message, dict) else ""
