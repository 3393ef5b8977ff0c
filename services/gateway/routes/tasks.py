"""``/api/v1/tasks``: the task configuration and the task completions (title, tags, follow-ups,
queries, autocompletion, emoji, image prompt, MoA), run by InferenceService as the caller."""

from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_json_object, read_model
from services.gateway.forms.tasks import TaskConfigForm
from services.gateway.http_errors import json_response
from services.gateway.inference_client import TASKS
from services.gateway.relay import relay
from services.gateway.state import GUARD, INFERENCE, SETTINGS
from services.gateway.task_views import task_config_json

routes = web.RouteTableDef()

_PREFIX = "/api/v1/tasks"


@routes.get(f"{_PREFIX}/config")
async def get_task_config(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(task_config_json(await request.app[INFERENCE].get_task_config(principal)))


@routes.post(f"{_PREFIX}/config/update")
async def update_task_config(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    # Templates are prompt text: the workspace routes' body limit fits them.
    form = await read_model(request, TaskConfigForm, request.app[SETTINGS].workspace_max_body_bytes)
    config = await request.app[INFERENCE].update_task_config(principal, orjson.dumps(form.model_dump()))
    return json_response(task_config_json(config))


def _completions(task: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        principal = await request.app[GUARD].require(request, Level.VERIFIED)
        body = await read_json_object(request, request.app[SETTINGS].inference_max_body_bytes)
        return await relay(request, request.app[INFERENCE].run_task(principal, task, body))

    handler.__name__ = f"{task}_completions"
    return handler


for _task in TASKS:
    routes.post(f"{_PREFIX}/{_task}/completions")(_completions(_task))
