"""ModelDirectory with fake registry and catalogs: pipes and manifolds in the model list, toggle
filters, presets and overrides resolved to their base, and who may chat with what."""

import pytest

from services.common.errors import InvalidArgument
from services.common.identity import Identity
from services.inference.functions.loader import load_function, make_valves
from services.inference.functions.records import ActiveFunction, FunctionRecord, FunctionSnapshot
from services.inference.model_directory import ModelDirectory
from services.inference.model_registry import Catalog, ModelRoute
from services.inference.upstreams import Kind
from services.inference.workspace.records import WorkspaceModel

ADMIN = Identity(user_id="admin1", role="admin")
USER = Identity(user_id="u1", role="user")
OTHER = Identity(user_id="u2", role="user")

LLAMA = {"id": "llama3:latest", "name": "llama3:latest", "object": "model", "owned_by": "ollama"}
GPT = {"id": "gpt-x", "name": "gpt-x", "object": "model", "owned_by": "openai"}
ROUTES = {
    "llama3:latest": ModelRoute("llama3:latest", Kind.OLLAMA, (), "llama3:latest"),
    "gpt-x": ModelRoute("gpt-x", Kind.OPENAI, (), "gpt-x"),
}

PLAIN_PIPE = """
class Pipe:
    def pipe(self, body):
        return "hi"
"""

MANIFOLD_LIST = """
class Pipe:
    def __init__(self):
        self.name = "Acme: "
        self.pipes = [{"id": "small", "name": "Small"}, {"id": "large", "name": "Large"}, {"name": "no id"}]

    def pipe(self, body):
        return body["model"]
"""

MANIFOLD_CALLABLE = """
CALLS = []

class Pipe:
    async def pipes(self):
        CALLS.append(1)
        return [{"id": "a", "name": "Alpha"}]

    def pipe(self, body):
        return body["model"]
"""

TOGGLE_FILTER = '''"""
title: Shout
icon_url: https://example.com/shout.png
"""
class Filter:
    def __init__(self):
        self.toggle = True

    def inlet(self, body):
        return body
'''

PLAIN_FILTER = """
class Filter:
    def inlet(self, body):
        return body
"""

USER_VALVES_TOGGLE = """
from pydantic import BaseModel

class Filter:
    class UserValves(BaseModel):
        on: bool = True

    def __init__(self):
        self.toggle = True

    def inlet(self, body):
        return body
"""


def active(
    function_id: str, source: str, *, is_global: bool = False, name: str | None = None
) -> ActiveFunction:
    loaded = load_function(function_id, source)
    record = FunctionRecord(
        id=function_id,
        user_id="admin1",
        name=name or function_id.title(),
        type=loaded.type,
        content=source,
        meta={"description": f"{function_id} description", "manifest": loaded.manifest},
        valves=None,
        is_active=True,
        is_global=is_global,
        created_at=111,
        updated_at=222,
    )
    return ActiveFunction(record, loaded, make_valves(loaded, None, "admin"))


def row(
    model_id: str,
    base: str | None,
    *,
    owner: str = "u1",
    active_: bool = True,
    grants: list[dict] | None = None,
    created: int = 10,
    **meta: object,
) -> WorkspaceModel:
    return WorkspaceModel(
        id=model_id,
        user_id=owner,
        base_model_id=base,
        name=f"{model_id} name",
        params={"system": "secret system prompt"},
        meta=dict(meta),
        access_grants=grants or [],
        is_active=active_,
        created_at=created,
        updated_at=created,
    )


class FakeRegistry:
    def __init__(self, models: list[dict] | None = None) -> None:
        models = [LLAMA, GPT] if models is None else models
        self.current = Catalog(models=models, routes={m["id"]: ROUTES[m["id"]] for m in models})
        self.refreshes: list[bool] = []

    async def catalog(self, refresh: bool = False) -> Catalog:
        self.refreshes.append(refresh)
        return self.current

    async def resolve(self, model_id: str) -> ModelRoute | None:
        return self.current.route(model_id)

    def model_object(self, model_id: str) -> dict | None:
        return next((m for m in self.current.models if m["id"] == model_id), None)


class FakeFunctions:
    def __init__(self, *functions: ActiveFunction) -> None:
        self.current = FunctionSnapshot({f.id: f for f in functions})

    async def snapshot(self) -> FunctionSnapshot:
        return self.current


class FakeWorkspace:
    def __init__(self, *rows: WorkspaceModel) -> None:
        self.current = {r.id: r for r in rows}

    async def rows(self) -> dict[str, WorkspaceModel]:
        return self.current


def directory(
    functions: FakeFunctions | None = None,
    rows: FakeWorkspace | None = None,
    registry: FakeRegistry | None = None,
    bypass: bool = False,
) -> ModelDirectory:
    return ModelDirectory(
        registry or FakeRegistry(),  # type: ignore[arg-type]
        functions or FakeFunctions(),  # type: ignore[arg-type]
        rows or FakeWorkspace(),  # type: ignore[arg-type]
        5,
        bypass,
    )


# --- the model list ------------------------------------------------------------------------------


async def test_without_functions_or_rows_the_upstream_models_are_listed_as_they_are() -> None:
    registry = FakeRegistry()
    models = await directory(registry=registry).models_for(ADMIN, refresh=True)
    assert models == [LLAMA, GPT]
    assert registry.refreshes == [True]


async def test_base_models_are_pipes_and_upstream_models_before_any_row_and_for_anyone() -> None:
    pipe = active("echo", PLAIN_PIPE, name="Echo Pipe")
    rows = FakeWorkspace(row("gpt-x", None, active_=False), row("llama3:latest", None))
    base = await directory(FakeFunctions(pipe), rows).base_models()
    assert [m["id"] for m in base] == ["echo", "llama3:latest", "gpt-x"]
    assert base[1] == LLAMA


async def test_pipes_come_first_as_pipe_models() -> None:
    pipe = active("echo", PLAIN_PIPE, name="Echo Pipe")
    models = await directory(FakeFunctions(pipe)).models_for(ADMIN)
    assert [m["id"] for m in models] == ["echo", "llama3:latest", "gpt-x"]
    assert models[0] == {
        "id": "echo",
        "name": "Echo Pipe",
        "object": "model",
        "created": 111,
        "owned_by": "openai",
        "pipe": {"type": "pipe"},
        "has_user_valves": False,
        "tags": [],
        "actions": [],
        "filters": [],
    }
    # With functions present every model gets its (toggle) filters.
    assert models[1] == {**LLAMA, "filters": []}


async def test_manifold_models_are_function_id_dot_sub_id_with_prefixed_names() -> None:
    functions = FakeFunctions(active("acme", MANIFOLD_LIST), active("multi", MANIFOLD_CALLABLE))
    models = await directory(functions, registry=FakeRegistry([])).models_for(ADMIN)
    assert [(m["id"], m["name"], m["pipe"]) for m in models] == [
        ("acme.small", "Acme: Small", {"type": "pipe"}),
        ("acme.large", "Acme: Large", {"type": "pipe"}),
        ("multi.a", "Alpha", {"type": "pipe"}),
    ]


async def test_pipe_models_are_worked_out_once_per_snapshot() -> None:
    multi = active("multi", MANIFOLD_CALLABLE)
    calls = multi.loaded.module.CALLS
    functions = FakeFunctions(multi)
    models = directory(functions)
    await models.models_for(ADMIN)
    await models.models_for(ADMIN)
    await models.target(ADMIN, "multi.a")
    assert len(calls) == 1
    functions.current = FunctionSnapshot(dict(functions.current.functions))
    await models.models_for(ADMIN)
    assert len(calls) == 2


async def test_toggle_filters_are_listed_in_filters() -> None:
    shout = active("shout", TOGGLE_FILTER, is_global=True, name="Shout")
    local = active("local", USER_VALVES_TOGGLE)
    plain = active("plain", PLAIN_FILTER, is_global=True)
    override = row("gpt-x", None, filterIds=["local", "plain", "missing"])
    models = await directory(FakeFunctions(shout, local, plain), FakeWorkspace(override)).models_for(ADMIN)
    by_id = {m["id"]: m for m in models}
    shout_entry = {
        "id": "shout",
        "name": "Shout",
        "description": "shout description",
        "icon": "https://example.com/shout.png",
        "has_user_valves": False,
    }
    assert by_id["llama3:latest"]["filters"] == [shout_entry]
    assert by_id["gpt-x"]["filters"] == [
        {
            "id": "local",
            "name": "Local",
            "description": "local description",
            "icon": None,
            "has_user_valves": True,
        },
        shout_entry,
    ]


async def test_presets_follow_their_base_and_overrides_rename() -> None:
    rows = FakeWorkspace(
        row("gpt-x", None, description="overridden"),
        row("helper", "gpt-x", created=20),
        row("llama-helper", "llama3", created=30),
        row("echo-preset", "echo", created=40),
        row("orphan", "vanished", created=50),
        row("off", "gpt-x", active_=False, created=60),
    )
    models = await directory(FakeFunctions(active("echo", PLAIN_PIPE)), rows).models_for(ADMIN)
    by_id = {m["id"]: m for m in models}
    assert [m["id"] for m in models] == [
        "echo",
        "llama3:latest",
        "gpt-x",
        "helper",
        "llama-helper",
        "echo-preset",
    ]
    assert by_id["gpt-x"]["name"] == "gpt-x name"
    assert by_id["gpt-x"]["info"]["meta"] == {"description": "overridden"}
    assert "params" not in by_id["helper"]["info"]
    assert by_id["helper"]["preset"] is True and by_id["helper"]["owned_by"] == "openai"
    assert by_id["llama-helper"]["owned_by"] == "ollama"
    assert by_id["echo-preset"]["pipe"] == {"type": "pipe"}


async def test_users_see_models_with_a_row_they_can_read() -> None:
    rows = FakeWorkspace(
        row("helper", "gpt-x", owner="u1"),
        row(
            "shared",
            "gpt-x",
            owner="u3",
            created=20,
            grants=[{"principal_type": "user", "principal_id": "u2", "permission": "read"}],
        ),
        row(
            "public",
            "gpt-x",
            owner="u3",
            created=30,
            grants=[{"principal_type": "user", "principal_id": "*", "permission": "read"}],
        ),
    )
    names = directory(rows=rows)
    assert [m["id"] for m in await names.models_for(USER)] == ["helper", "public"]
    assert [m["id"] for m in await names.models_for(OTHER)] == ["shared", "public"]
    everything = [m["id"] for m in await directory(rows=rows, bypass=True).models_for(OTHER)]
    assert everything == ["llama3:latest", "gpt-x", "helper", "shared", "public"]


# --- chat targets --------------------------------------------------------------------------------


async def test_upstream_target() -> None:
    target = await directory().target(ADMIN, "gpt-x")
    assert (target.id, target.route, target.pipe, target.row) == ("gpt-x", ROUTES["gpt-x"], None, None)
    assert target.model == GPT
    assert target.filter_ids is None


async def test_ollama_name_without_tag_is_latest() -> None:
    target = await directory().target(ADMIN, "llama3")
    assert target.id == "llama3:latest" and target.route is ROUTES["llama3:latest"]


async def test_preset_resolves_to_the_base_route() -> None:
    preset = row("helper", "gpt-x", filterIds=["f1"], knowledge=[{"id": "k1"}])
    target = await directory(rows=FakeWorkspace(preset)).target(USER, "helper")
    assert target.id == "gpt-x"
    assert target.route is ROUTES["gpt-x"]
    assert target.row is preset
    assert target.filter_ids == ["f1"]
    assert target.model["id"] == "helper" and target.model["name"] == "helper name"
    assert target.model["owned_by"] == "openai"
    assert target.model["info"]["base_model_id"] == "gpt-x"
    assert "params" not in target.model["info"]


async def test_preset_of_an_untagged_ollama_base() -> None:
    target = await directory(rows=FakeWorkspace(row("lh", "llama3"))).target(ADMIN, "lh")
    assert target.route is ROUTES["llama3:latest"] and target.id == "llama3:latest"


async def test_override_row_applies_to_its_own_model() -> None:
    override = row("gpt-x", None)
    target = await directory(rows=FakeWorkspace(override)).target(USER, "gpt-x")
    assert target.id == "gpt-x" and target.row is override and target.route is ROUTES["gpt-x"]


async def test_pipe_and_manifold_targets() -> None:
    echo = active("echo", PLAIN_PIPE)
    acme = active("acme", MANIFOLD_LIST)
    models = directory(FakeFunctions(echo, acme))
    target = await models.target(ADMIN, "echo")
    assert (target.id, target.route, target.pipe) == ("echo", None, echo)
    assert target.model["pipe"] == {"type": "pipe"}
    sub = await models.target(ADMIN, "acme.large")
    assert (sub.id, sub.pipe, sub.model["name"]) == ("acme.large", acme, "Acme: Large")
    assert sub.snapshot.functions.keys() == {"echo", "acme"}


async def test_preset_of_a_pipe_targets_the_pipe() -> None:
    echo = active("echo", PLAIN_PIPE)
    preset = row("echo-preset", "echo")
    target = await directory(FakeFunctions(echo), FakeWorkspace(preset)).target(USER, "echo-preset")
    assert (target.id, target.pipe, target.row, target.route) == ("echo", echo, preset, None)
    assert target.model["id"] == "echo-preset"


@pytest.mark.parametrize(
    "rows",
    [
        [row("helper", "gpt-x", active_=False)],
        [row("gpt-x", None, active_=False)],
        [row("helper", "vanished")],
    ],
)
async def test_inactive_rows_and_missing_bases_are_model_not_found(rows: list[WorkspaceModel]) -> None:
    names = directory(rows=FakeWorkspace(*rows))
    model_id = rows[0].id
    with pytest.raises(InvalidArgument) as caught:
        await names.target(ADMIN, model_id)
    assert caught.value.detail == "Model not found"


@pytest.mark.parametrize("model_id", ["nope", "", None, 3, ["gpt-x"]])
async def test_unknown_models_are_model_not_found(model_id: object) -> None:
    with pytest.raises(InvalidArgument, match=r"^Model not found$"):
        await directory().target(ADMIN, model_id)


async def test_users_need_a_readable_row_to_chat() -> None:
    rows = FakeWorkspace(row("helper", "gpt-x", owner="u1"))
    names = directory(rows=rows)
    with pytest.raises(InvalidArgument, match="Model not found"):
        await names.target(USER, "gpt-x")  # a raw backend model
    with pytest.raises(InvalidArgument, match="Model not found"):
        await names.target(OTHER, "helper")  # someone else's preset
    assert (await names.target(USER, "helper")).id == "gpt-x"
    assert (await directory(rows=rows, bypass=True).target(OTHER, "gpt-x")).id == "gpt-x"
