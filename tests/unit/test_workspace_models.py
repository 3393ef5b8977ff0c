"""Workspace models without I/O: merging into the model list, who sees and uses what, the CRUD
rules (on an in-memory store) and the catalog's caching."""

import asyncio
from dataclasses import replace

import pytest

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.workspace.admin import ModelAdmin
from services.inference.workspace.catalog import WorkspaceCatalog
from services.inference.workspace.merge import can_use, claims_base_model, merge_models, visible_models
from services.inference.workspace.records import WorkspaceModel

ADMIN = Identity("admin", role="admin")
# Alice may create models and share them with users (not publicly); Bob holds no permission.
ALICE = Identity(
    "alice",
    role="user",
    permissions=frozenset({"workspace.models", "sharing.models", "access_grants.allow_users"}),
)
BOB = Identity("bob", role="user")
BOB_MAKER = replace(BOB, permissions=frozenset({"workspace.models"}))


def row(model_id: str, base: str | None = None, **kw: object) -> WorkspaceModel:
    values: dict = dict(
        id=model_id,
        user_id="alice",
        base_model_id=base,
        name=f"{model_id} name",
        params={"system": "be brief"},
        meta={"description": "d"},
        access_grants=[],
        is_active=True,
        created_at=10,
        updated_at=10,
    )
    values.update(kw)
    return WorkspaceModel(**values)


def rows_of(*items: WorkspaceModel) -> dict[str, WorkspaceModel]:
    return {item.id: item for item in items}


def ollama(model_id: str, **kw: object) -> dict:
    return {"id": model_id, "name": model_id, "object": "model", "owned_by": "ollama", **kw}


BASE = [
    ollama("llama3:latest", connection_type="local", loaded=True),
    {
        "id": "gpt-4o",
        "name": "gpt-4o",
        "object": "model",
        "owned_by": "openai",
        "connection_type": "external",
    },
    {"id": "pipe.x", "name": "Pipe X", "owned_by": "openai", "pipe": {"type": "pipe"}},
]


def grant(user: str, permission: str = "read") -> dict:
    return {"principal_type": "user", "principal_id": user, "permission": permission}


# -- merge ------------------------------------------------------------------------------------------


def test_a_row_without_base_overrides_the_model_of_its_id_and_hides_params() -> None:
    merged = merge_models(BASE, rows_of(row("gpt-4o", name="House GPT")))
    gpt = next(m for m in merged if m["id"] == "gpt-4o")
    assert gpt["name"] == "House GPT" and gpt["owned_by"] == "openai"
    assert gpt["info"]["id"] == "gpt-4o" and gpt["info"]["meta"] == {"description": "d"}
    assert "params" not in gpt["info"]
    # The input list is not changed.
    assert "info" not in BASE[1] and BASE[1]["name"] == "gpt-4o"


def test_an_override_matches_an_ollama_model_without_its_tag() -> None:
    merged = merge_models(BASE, rows_of(row("llama3", name="Llama")))
    assert [m["name"] for m in merged if m["id"] == "llama3:latest"] == ["Llama"]
    assert "llama3" not in [m["id"] for m in merged]


def test_an_inactive_override_removes_the_model_and_an_unmatched_one_is_ignored() -> None:
    merged = merge_models(BASE, rows_of(row("gpt-4o", is_active=False), row("nothing-like-it")))
    assert [m["id"] for m in merged] == ["llama3:latest", "pipe.x"]


def test_a_preset_takes_its_base_models_owner_connection_pipe_and_load_state() -> None:
    merged = merge_models(
        BASE,
        rows_of(
            row("helper", "llama3", created_at=5),
            row("piped", "pipe.x", created_at=6),
            row("writer", "gpt-4o", created_at=7),
        ),
    )
    presets = {m["id"]: m for m in merged if m.get("preset")}
    assert list(presets) == ["helper", "piped", "writer"]
    helper = presets["helper"]
    assert helper == {
        "id": "helper",
        "name": "helper name",
        "object": "model",
        "created": 5,
        "owned_by": "ollama",
        "connection_type": "local",
        "preset": True,
        "loaded": True,
        "info": {k: v for k, v in row("helper", "llama3", created_at=5).to_json().items() if k != "params"},
    }
    assert presets["piped"]["pipe"] == {"type": "pipe"} and "loaded" not in presets["piped"]
    assert presets["writer"]["connection_type"] == "external" and "pipe" not in presets["writer"]
    # Presets come after the base models.
    assert [m["id"] for m in merged][:3] == ["llama3:latest", "gpt-4o", "pipe.x"]


def test_a_preset_base_with_a_tag_finds_the_ollama_model_by_name() -> None:
    merged = merge_models([ollama("llama3:8b")], rows_of(row("helper", "llama3:latest")))
    assert [m["owned_by"] for m in merged if m["id"] == "helper"] == ["ollama"]


def test_presets_are_left_out_when_inactive_without_their_base_or_clashing_with_a_base_id() -> None:
    merged = merge_models(
        BASE,
        rows_of(
            row("off", "gpt-4o", is_active=False),
            row("orphan", "gone-model"),
            row("gpt-4o", "llama3"),
        ),
    )
    assert [m["id"] for m in merged] == ["llama3:latest", "gpt-4o", "pipe.x"]
    assert "info" not in merged[1]


def test_a_preset_of_a_disabled_base_is_left_out() -> None:
    merged = merge_models(BASE, rows_of(row("gpt-4o", is_active=False), row("writer", "gpt-4o")))
    assert [m["id"] for m in merged] == ["llama3:latest", "pipe.x"]


def test_merged_info_is_a_copy_of_the_cached_row() -> None:
    cached = row("writer", "gpt-4o", meta={"tags": [{"name": "t"}]})
    merged = merge_models(BASE, rows_of(cached))
    merged[-1]["info"]["meta"]["tags"].append({"name": "changed"})
    assert cached.meta == {"tags": [{"name": "t"}]}


# -- visibility and use ------------------------------------------------------------------------------


def test_a_row_claims_a_base_model_by_id_by_untagged_ollama_name_or_as_latest() -> None:
    base = [*BASE, {"id": "local:latest", "name": "local:latest", "owned_by": "openai"}]
    for model_id in ("gpt-4o", "llama3:latest", "llama3", "pipe.x", "local"):
        assert claims_base_model(model_id, base), model_id
    for model_id in ("helper", "gpt-4o:latest", "llama3:8b", "gpt", "pipe"):
        assert not claims_base_model(model_id, base), model_id
    assert not claims_base_model("gpt-4o", [])


def test_users_see_only_models_with_a_row_they_own_or_may_read() -> None:
    rows = rows_of(
        row("writer", "gpt-4o", created_at=1),
        row("shared", "gpt-4o", user_id="carol", access_grants=[grant("bob")], created_at=2),
        row("public", "gpt-4o", user_id="carol", access_grants=[grant("*")], created_at=3),
        row("writable", "gpt-4o", user_id="carol", access_grants=[grant("bob", "write")], created_at=4),
        row("private", "gpt-4o", user_id="carol", created_at=5),
    )
    models = merge_models(BASE, rows)
    # A write-only grant does not confer read (§6.2): "writable" stays hidden from Bob.
    assert [m["id"] for m in visible_models(models, rows, BOB, bypass=False)] == ["shared", "public"]
    assert [m["id"] for m in visible_models(models, rows, ALICE, bypass=False)] == ["writer", "public"]
    # Raw backend models (no row) are for admins only; bypass shows everything to everyone.
    assert visible_models(models, rows, ADMIN, bypass=False) == models
    assert visible_models(models, rows, BOB, bypass=True) == models


def test_an_override_row_makes_a_backend_model_visible_to_its_readers() -> None:
    rows = rows_of(row("gpt-4o", user_id="admin", access_grants=[grant("bob")]))
    models = merge_models(BASE, rows)
    assert [m["id"] for m in visible_models(models, rows, BOB, bypass=False)] == ["gpt-4o"]


def test_arena_models_follow_the_grants_in_their_meta() -> None:
    arena = {"id": "arena", "arena": True, "info": {"meta": {"access_grants": [grant("bob")]}}}
    assert visible_models([arena], {}, BOB, bypass=False) == [arena]
    assert visible_models([arena], {}, ALICE, bypass=False) == []


def test_can_use_follows_the_same_rule() -> None:
    rows = rows_of(
        row("mine", "gpt-4o"), row("shared", "gpt-4o", user_id="carol", access_grants=[grant("bob")])
    )
    assert can_use("mine", rows, ALICE, bypass=False)
    assert not can_use("mine", rows, BOB, bypass=False)
    assert can_use("shared", rows, BOB, bypass=False)
    assert not can_use("gpt-4o", rows, BOB, bypass=False)
    assert can_use("gpt-4o", rows, ADMIN, bypass=False)
    assert can_use("gpt-4o", rows, BOB, bypass=True)


# -- CRUD core ---------------------------------------------------------------------------------------


class FakeStore:
    """In-memory ``ModelStore``."""

    def __init__(self) -> None:
        self.rows: dict[str, WorkspaceModel] = {}

    async def get(self, model_id: str) -> WorkspaceModel | None:
        return self.rows.get(model_id)

    async def presets(self) -> list[WorkspaceModel]:
        found = [r for r in self.rows.values() if r.base_model_id is not None]
        return sorted(found, key=lambda r: (-r.created_at, r.id))

    async def insert(self, model: WorkspaceModel) -> bool:
        if model.id in self.rows:
            return False
        self.rows[model.id] = model
        return True

    async def update(
        self, model_id: str, *, access_grants: list | None, **fields: object
    ) -> WorkspaceModel | None:
        if model_id not in self.rows:
            return None
        current = self.rows[model_id]
        grants = access_grants if access_grants is not None else current.access_grants
        self.rows[model_id] = replace(current, access_grants=grants, **fields)  # type: ignore[arg-type]
        return self.rows[model_id]

    async def toggle(self, model_id: str, updated_at: int) -> WorkspaceModel | None:
        if model_id not in self.rows:
            return None
        current = self.rows[model_id]
        self.rows[model_id] = replace(current, is_active=not current.is_active, updated_at=updated_at)
        return self.rows[model_id]

    async def delete(self, model_id: str) -> bool:
        return self.rows.pop(model_id, None) is not None


class CountingCatalog:
    def __init__(self) -> None:
        self.invalidations = 0

    def invalidate(self) -> None:
        self.invalidations += 1


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def catalog() -> CountingCatalog:
    return CountingCatalog()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def base_models() -> list[dict]:
    return BASE


@pytest.fixture
def admin(store: FakeStore, catalog: CountingCatalog, clock: Clock) -> ModelAdmin:
    return ModelAdmin(store, catalog, base_models, clock)


def form(model_id: str = "helper", **kw: object) -> dict:
    return {"id": model_id, "base_model_id": "gpt-4o", "name": "Helper", "meta": {}, "params": {}, **kw}


async def test_create_stores_the_row_with_owner_times_and_normalized_meta(
    admin: ModelAdmin, store: FakeStore, catalog: CountingCatalog
) -> None:
    created = await admin.create(
        ALICE,
        form(
            meta={"description": "x", "tags": ["a", {"name": "b"}, {"bad": 1}], "knowledge": []},
            params={"system": "hi", "temperature": 0.2},
            access_grants=[grant("bob"), grant("*"), {"junk": True}, None],
        ),
    )
    assert created.user_id == "alice" and created.created_at == created.updated_at == 1000
    assert created.meta == {
        "profile_image_url": "/static/favicon.png",
        "description": "x",
        "capabilities": None,
        "tags": [{"name": "a"}, {"name": "b"}],
        "knowledge": [],
    }
    assert created.params == {"system": "hi", "temperature": 0.2}
    # Invalid grants are dropped, and the public one too (a user may not share publicly).
    assert [(g["principal_id"], g["permission"], g["resource_type"]) for g in created.access_grants] == [
        ("bob", "read", "model")
    ]
    assert created.is_active and store.rows["helper"] == created and catalog.invalidations == 1
    json = created.to_json()
    assert list(json) == [
        "id",
        "user_id",
        "base_model_id",
        "name",
        "params",
        "meta",
        "access_grants",
        "is_active",
        "updated_at",
        "created_at",
    ]


async def test_an_admin_may_grant_everyone(admin: ModelAdmin) -> None:
    created = await admin.create(ADMIN, form(access_grants=[grant("*")]))
    assert [g["principal_id"] for g in created.access_grants] == ["*"]


async def test_create_refuses_a_taken_or_bad_id(admin: ModelAdmin) -> None:
    await admin.create(ALICE, form())
    with pytest.raises(errors.PermissionDenied) as unauthorized:
        await admin.create(BOB, form("bobs"))
    assert unauthorized.value.detail == messages.UNAUTHORIZED and unauthorized.value.http_status == 401
    with pytest.raises(errors.AlreadyExists) as taken:
        await admin.create(BOB_MAKER, form())
    assert taken.value.detail == messages.MODEL_ID_TAKEN and taken.value.http_status == 401
    for bad in ("", "x" * 257):
        with pytest.raises(errors.InvalidArgument) as too_long:
            await admin.create(ALICE, form(bad))
        assert too_long.value.detail == messages.MODEL_ID_TOO_LONG
    await admin.create(ALICE, form("y" * 256))


@pytest.mark.parametrize("model_id", ["gpt-4o", "llama3:latest", "llama3", "pipe.x"])
async def test_only_admins_may_create_a_row_with_a_base_models_id(
    admin: ModelAdmin, store: FakeStore, catalog: CountingCatalog, model_id: str
) -> None:
    # As a preset or as an override, a user's row would rename, hide or re-prompt it for everyone.
    for base_model_id in ("gpt-4o", None):
        with pytest.raises(errors.AlreadyExists) as taken:
            await admin.create(ALICE, form(model_id, base_model_id=base_model_id))
        assert taken.value.detail == messages.MODEL_ID_TAKEN and taken.value.http_status == 401
    assert store.rows == {} and catalog.invalidations == 0
    created = await admin.create(ADMIN, form(model_id, base_model_id=None, name="House model"))
    assert created.user_id == "admin" and store.rows[model_id] == created
    assert "House model" in [m["name"] for m in merge_models(BASE, store.rows)]


async def test_ids_near_a_base_models_are_free_for_users(admin: ModelAdmin) -> None:
    for model_id in ("gpt-4o-helper", "llama3:8b", "pipe.x.y", "GPT-4O"):
        assert (await admin.create(ALICE, form(model_id))).user_id == "alice"


async def test_an_id_another_users_row_holds_is_refused_to_everyone(
    admin: ModelAdmin, store: FakeStore
) -> None:
    await admin.create(ALICE, form())
    for caller in (BOB_MAKER, ADMIN):
        with pytest.raises(errors.AlreadyExists) as taken:
            await admin.create(caller, form(name="Mine now", params={"system": "obey"}))
        assert taken.value.http_status == 401
    assert store.rows["helper"].user_id == "alice" and store.rows["helper"].name == "Helper"
    # Updating it takes a write grant: the id names the row, it never moves or creates one.
    with pytest.raises(errors.PermissionDenied):
        await admin.update(BOB, form(name="Mine now"))
    assert store.rows["helper"].name == "Helper"


@pytest.mark.parametrize(
    "bad",
    [
        {"id": 5},
        {"name": None},
        {"meta": []},
        {"params": "x"},
        {"is_active": "yes"},
        {"access_grants": {}},
        {"meta": {"description": 3}},
        {"meta": {"capabilities": []}},
        {"params": {"system": "a\x00b"}},
        {"name": "a\x00"},
    ],
)
async def test_invalid_forms_are_refused(admin: ModelAdmin, bad: dict) -> None:
    with pytest.raises(errors.InvalidArgument):
        await admin.create(ALICE, {**form(), **bad})


async def test_get_needs_read_access_and_shows_params_only_to_writers(admin: ModelAdmin) -> None:
    await admin.create(ALICE, form(params={"system": "secret"}, access_grants=[grant("bob")]))
    mine = await admin.get(ALICE, "helper")
    assert mine.write_access is True and mine.row.params == {"system": "secret"}
    theirs = await admin.get(BOB, "helper")
    assert theirs.write_access is False and theirs.row.params == {}
    assert (await admin.get(ADMIN, "helper")).write_access is True
    with pytest.raises(errors.PermissionDenied) as denied:
        await admin.get(Identity("carol"), "helper")
    assert denied.value.detail == messages.ACCESS_PROHIBITED and denied.value.http_status == 401
    with pytest.raises(errors.NotFound) as missing:
        await admin.get(ALICE, "nope")
    assert missing.value.detail == messages.NOT_FOUND and missing.value.http_status is None


async def test_list_shows_readable_presets_newest_first_paged_and_filtered(
    admin: ModelAdmin, clock: Clock
) -> None:
    for i in range(35):
        clock.now = 1000 + i
        await admin.create(ALICE, form(f"m{i:02d}", name=f"Model {i}", meta={"profile_image_url": "/x.png"}))
    clock.now = 2000
    await admin.create(ADMIN, form("override", base_model_id=None))
    await admin.create(ADMIN, form("admins", access_grants=[grant("bob"), grant("bob", "write")]))
    page = await admin.list(ALICE, "", 1)
    assert page.total == 35 and len(page.items) == 30
    assert page.items[0].row.id == "m34" and "profile_image_url" not in page.items[0].row.meta
    assert all(item.write_access for item in page.items)
    assert [i.row.id for i in (await admin.list(ALICE, "", 2)).items] == [
        f"m{i:02d}" for i in range(4, -1, -1)
    ]
    everything = await admin.list(ALICE, "", 0)
    assert everything.total == 35 and len(everything.items) == 35
    assert [i.row.id for i in (await admin.list(ALICE, "MODEL 3", 1)).items] == [
        "m34",
        "m33",
        "m32",
        "m31",
        "m30",
        "m03",
    ]
    assert [i.row.id for i in (await admin.list(ALICE, "gpt-4", 1)).items][:1] == ["m34"]
    bobs = await admin.list(BOB, "", 1)
    assert [(i.row.id, i.write_access) for i in bobs.items] == [("admins", True)]
    assert (await admin.list(ADMIN, "", 1)).total == 36


async def test_update_replaces_fields_and_keeps_grants_unless_given(
    admin: ModelAdmin, store: FakeStore, catalog: CountingCatalog, clock: Clock
) -> None:
    await admin.create(ALICE, form(access_grants=[grant("bob", "write")]))
    clock.now = 1500
    updated = await admin.update(BOB, form(name="Renamed", base_model_id="llama3", params={"top_k": 3}))
    assert (updated.name, updated.base_model_id, updated.params, updated.updated_at) == (
        "Renamed",
        "llama3",
        {"top_k": 3},
        1500,
    )
    assert updated.user_id == "alice" and updated.created_at == 1000
    assert [g["principal_id"] for g in updated.access_grants] == ["bob"]
    # The form's is_active (default true) is stored, as Open WebUI does.
    updated = await admin.update(ALICE, form(is_active=False, access_grants=[]))
    assert updated.access_grants == [] and updated.is_active is False
    assert catalog.invalidations == 3


async def test_update_toggle_and_delete_answer_as_open_webui(admin: ModelAdmin) -> None:
    await admin.create(ALICE, form(access_grants=[grant("bob")]))
    with pytest.raises(errors.NotFound) as missing:
        await admin.update(ALICE, form("nope"))
    assert missing.value.http_status == 401 and missing.value.detail == messages.NOT_FOUND
    with pytest.raises(errors.PermissionDenied) as denied:
        await admin.update(BOB, form())
    assert denied.value.http_status == 400 and denied.value.detail == messages.ACCESS_PROHIBITED
    for action in (admin.toggle, admin.delete):
        with pytest.raises(errors.PermissionDenied) as refused:
            await action(BOB, "helper")
        assert refused.value.http_status == 401 and refused.value.detail == messages.UNAUTHORIZED
        with pytest.raises(errors.NotFound) as gone:
            await action(ALICE, "nope")
        assert gone.value.http_status == 401
    toggled = await admin.toggle(ALICE, "helper")
    assert toggled.is_active is False
    assert (await admin.toggle(ADMIN, "helper")).is_active is True
    assert await admin.delete(ADMIN, "helper") is True
    with pytest.raises(errors.NotFound):
        await admin.get(ALICE, "helper")


# -- catalog -----------------------------------------------------------------------------------------


class FakeSource:
    def __init__(self) -> None:
        self.version_value = 1
        self.rows: dict[str, WorkspaceModel] = {"a": row("a")}
        self.snapshots = 0
        self.version_reads = 0
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def version(self) -> int:
        self.version_reads += 1
        if self.fail:
            raise OSError("database down")
        return self.version_value

    async def snapshot(self) -> tuple[int, dict[str, WorkspaceModel]]:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError("database down")
        self.snapshots += 1
        return self.version_value, dict(self.rows)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_catalog_loads_once_then_revalidates_in_the_background_after_the_ttl() -> None:
    source, clock = FakeSource(), Clock(0.0)
    catalog = WorkspaceCatalog(source, ttl_s=1.0, clock=clock)
    assert list(await catalog.rows()) == ["a"]
    assert list(await catalog.rows()) == ["a"] and source.version_reads == 0
    # Another replica writes: seen only after the ttl, and the call that notices is not kept waiting.
    source.rows["b"] = row("b")
    source.version_value = 2
    clock.now = 1.5
    assert list(await catalog.rows()) == ["a"]
    await _settle()
    assert list(await catalog.rows()) == ["a", "b"] and source.snapshots == 2
    # An unchanged version costs one version read, no reload.
    clock.now = 3.0
    await catalog.rows()
    await _settle()
    assert source.version_reads == 2 and source.snapshots == 2
    await catalog.close()


async def test_catalog_reloads_at_once_after_a_local_change() -> None:
    source = FakeSource()
    catalog = WorkspaceCatalog(source, ttl_s=3600.0, clock=Clock(0.0))
    await catalog.rows()
    source.rows["b"] = row("b")
    catalog.invalidate()
    assert list(await catalog.rows()) == ["a", "b"]


async def test_catalog_concurrent_first_calls_load_once() -> None:
    source = FakeSource()
    source.gate = asyncio.Event()
    catalog = WorkspaceCatalog(source, ttl_s=1.0, clock=Clock(0.0))
    calls = [asyncio.create_task(catalog.rows()) for _ in range(5)]
    await _settle()
    source.gate.set()
    results = await asyncio.gather(*calls)
    assert source.snapshots == 1 and all(r is results[0] for r in results)


async def test_catalog_keeps_serving_its_copy_when_the_database_fails() -> None:
    source, clock = FakeSource(), Clock(0.0)
    catalog = WorkspaceCatalog(source, ttl_s=1.0, clock=clock)
    await catalog.rows()
    source.fail = True
    clock.now = 2.0
    assert list(await catalog.rows()) == ["a"]
    await _settle()
    catalog.invalidate()
    assert list(await catalog.rows()) == ["a"]
    # Once the database is back, the pending change is picked up.
    source.fail = False
    source.rows["b"] = row("b")
    assert list(await catalog.rows()) == ["a", "b"]


async def test_catalog_first_load_failure_is_raised() -> None:
    source = FakeSource()
    source.fail = True
    catalog = WorkspaceCatalog(source, ttl_s=1.0)
    with pytest.raises(OSError):
        await catalog.rows()
