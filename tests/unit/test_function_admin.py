"""The function admin core over an in-memory store: Open WebUI's checks and texts (the JSON shapes are
the gateway's, tests/unit/test_function_views.py)."""

import textwrap

import pytest

from services.common import messages
from services.common.errors import InvalidArgument, NotFound, Unauthenticated
from services.common.identity import Identity
from services.inference.functions.admin import FunctionAdmin
from services.inference.functions.catalog import FunctionCatalog
from tests.unit.fake_function_store import FakeFunctionStore

ADMIN = Identity(user_id="admin-1", email="a@example.com", name="Admin", role="admin")
USER = Identity(user_id="user-1", email="u@example.com", name="User", role="user")
OTHER = Identity(user_id="user-2", email="o@example.com", name="Other", role="user")
PENDING = Identity(user_id="pending-1", email="p@example.com", name="Pending", role="pending")

PIPE = textwrap.dedent(
    '''\
    """
    title: Echo
    version: 0.1
    requirements: somepkg
    """
    from pydantic import BaseModel


    class Pipe:
        class Valves(BaseModel):
            prefix: str = ">"
            count: int = 1

        class UserValves(BaseModel):
            shout: bool = False

        def __init__(self):
            self.valves = self.Valves()

        def pipe(self, body: dict) -> str:
            return self.valves.prefix
    '''
)

TOGGLE_FILTER = textwrap.dedent(
    """\
    class Filter:
        def __init__(self):
            self.toggle = True

        def inlet(self, body: dict) -> dict:
            return body
    """
)

PLAIN_FILTER = "class Filter:\n    def inlet(self, body):\n        return body\n"
BROKEN = "def oops(:\n    pass\n"


def form(function_id: str = "echo", content: str = PIPE, **meta: object) -> dict:
    return {
        "id": function_id,
        "name": f"{function_id} name",
        "content": content,
        "meta": {"description": "d", **meta},
    }


@pytest.fixture
def store() -> FakeFunctionStore:
    return FakeFunctionStore()


@pytest.fixture
def catalog(store: FakeFunctionStore) -> FunctionCatalog:
    return FunctionCatalog(store, ttl_s=60)


@pytest.fixture
def admin(store: FakeFunctionStore, catalog: FunctionCatalog) -> FunctionAdmin:
    return FunctionAdmin(store, catalog)


# -- create ----------------------------------------------------------------------------------------


async def test_create_detects_type_and_manifest_and_starts_inactive(admin, store) -> None:
    created = await admin.create(ADMIN, form("Echo_1", extra_key="kept"))
    assert created.id == "echo_1"
    assert created.type == "pipe"
    assert created.user_id == ADMIN.user_id
    assert created.content == PIPE
    assert created.is_active is False and created.is_global is False
    assert created.meta == {
        "description": "d",
        "manifest": {"title": "Echo", "version": "0.1", "requirements": "somepkg"},
        "extra_key": "kept",
    }
    assert store.rows["echo_1"] == created and store.version_value == 1


async def test_create_marks_toggle_filters(admin) -> None:
    toggled = await admin.create(ADMIN, form("sw", TOGGLE_FILTER))
    assert toggled.type == "filter" and toggled.meta["toggle"] is True
    plain = await admin.create(ADMIN, form("plain", PLAIN_FILTER))
    assert plain.type == "filter" and "toggle" not in plain.meta


@pytest.mark.parametrize("bad_id", ["has space", "1abc", "a-b", ""])
async def test_create_refuses_ids_that_are_not_identifiers(admin, bad_id) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await admin.create(ADMIN, form(bad_id))
    assert caught.value.detail == messages.FUNCTION_ID_INVALID


async def test_create_refuses_a_taken_id_even_in_other_case(admin) -> None:
    await admin.create(ADMIN, form("echo"))
    with pytest.raises(InvalidArgument) as caught:
        await admin.create(ADMIN, form("ECHO"))
    assert caught.value.detail == messages.ID_TAKEN


async def test_create_with_code_that_does_not_load_stores_nothing(admin, store) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await admin.create(ADMIN, form("broken", BROKEN))
    assert caught.value.detail.startswith("[ERROR: Error creating function: SyntaxError")
    assert caught.value.detail.endswith("]")
    with pytest.raises(InvalidArgument, match=r"No Function class found in the module\]$"):
        await admin.create(ADMIN, form("empty", "x = 1\n"))
    assert store.rows == {} and store.version_value == 0


async def test_create_refuses_nul_characters(admin) -> None:
    with pytest.raises(InvalidArgument):
        await admin.create(ADMIN, form("nul", PIPE, description="a\x00b"))


async def test_create_refuses_meta_nested_deeper_than_can_be_stored(admin, store) -> None:
    # Found by fuzzing: orjson writes at most 254 levels; deeper meta was an INTERNAL error.
    deep: dict = {}
    for _ in range(300):
        deep = {"a": deep}
    with pytest.raises(InvalidArgument) as caught:
        await admin.create(ADMIN, form("deep", PIPE, extra=deep))
    assert caught.value.detail == messages.JSON_TOO_DEEP
    assert store.rows == {}


async def test_admin_routes_refuse_non_admins(admin) -> None:
    await admin.create(ADMIN, form())
    for caller in (USER, PENDING):
        for call in (
            admin.create(caller, form("x")),
            admin.get(caller, "echo"),
            admin.update(caller, "echo", form()),
            admin.toggle(caller, "echo", "is_active"),
            admin.delete(caller, "echo"),
            admin.valves(caller, "echo", "admin", spec=False),
            admin.update_valves(caller, "echo", "admin", {}),
        ):
            with pytest.raises(Unauthenticated) as caught:
                await call
            assert caught.value.detail == messages.ACCESS_PROHIBITED
    with pytest.raises(Unauthenticated):
        await admin.list(PENDING)
    with pytest.raises(Unauthenticated):
        await admin.valves(PENDING, "echo", "user", spec=False)


# -- read, list ------------------------------------------------------------------------------------


async def test_get_missing_is_401_not_found(admin) -> None:
    with pytest.raises(NotFound) as caught:
        await admin.get(ADMIN, "nope")
    assert caught.value.detail == messages.NOT_FOUND and caught.value.http_status == 401


async def test_list_is_most_recently_updated_first(admin) -> None:
    await admin.create(ADMIN, form("first"))
    await admin.create(ADMIN, form("second", PLAIN_FILTER))
    await admin.toggle(ADMIN, "first", "is_active")
    listed = await admin.list(USER)
    assert [item.id for item in listed] == ["first", "second"]


async def test_list_is_empty_when_functions_are_off(store) -> None:
    on = FunctionAdmin(store, FunctionCatalog(store, ttl_s=60))
    await on.create(ADMIN, form())
    off = FunctionAdmin(store, FunctionCatalog(store, ttl_s=60, enabled=False))
    assert await off.list(ADMIN) == []


# -- update ----------------------------------------------------------------------------------------


async def test_update_replaces_code_type_and_meta(admin, store) -> None:
    created = await admin.create(ADMIN, form())
    updated = await admin.update(ADMIN, "echo", {**form("ignored", TOGGLE_FILTER), "name": "New"})
    assert updated.id == "echo" and updated.name == "New"
    assert updated.type == "filter" and updated.content == TOGGLE_FILTER
    assert updated.meta == {"description": "d", "manifest": {}, "toggle": True}
    assert updated.created_at == created.created_at
    assert updated.updated_at > created.updated_at


async def test_update_with_broken_code_keeps_the_code_and_switches_off(admin, store) -> None:
    await admin.create(ADMIN, form())
    await admin.toggle(ADMIN, "echo", "is_active")
    with pytest.raises(InvalidArgument) as caught:
        await admin.update(ADMIN, "echo", form("echo", BROKEN))
    assert caught.value.detail.startswith("[ERROR: Error updating function: SyntaxError")
    stored = store.rows["echo"]
    assert stored.content == PIPE and stored.is_active is False
    assert stored.load_error and stored.load_error.startswith("SyntaxError")
    # Loading good code again clears the error (the function stays off until toggled).
    await admin.update(ADMIN, "echo", form())
    assert store.rows["echo"].load_error is None and store.rows["echo"].is_active is False


async def test_update_of_a_missing_function(admin) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await admin.update(ADMIN, "nope", form("nope"))
    assert caught.value.detail == "[ERROR: Error updating function]"


# -- toggle, delete --------------------------------------------------------------------------------


async def test_toggles_flip_and_missing_is_401(admin) -> None:
    await admin.create(ADMIN, form())
    assert (await admin.toggle(ADMIN, "echo", "is_active")).is_active is True
    assert (await admin.toggle(ADMIN, "echo", "is_active")).is_active is False
    flipped = await admin.toggle(ADMIN, "echo", "is_global")
    assert flipped.is_global is True and flipped.is_active is False
    assert flipped.content == PIPE
    with pytest.raises(NotFound) as caught:
        await admin.toggle(ADMIN, "nope", "is_active")
    assert caught.value.http_status == 401


async def test_delete_answers_true_always(admin, store) -> None:
    await admin.create(ADMIN, form())
    assert await admin.delete(ADMIN, "echo") is True
    assert store.rows == {}
    assert await admin.delete(ADMIN, "echo") is True


# -- valves ----------------------------------------------------------------------------------------


async def test_admin_valves_default_spec_update(admin, store) -> None:
    await admin.create(ADMIN, form())
    assert await admin.valves(ADMIN, "echo", "admin", spec=False) == {}
    spec = await admin.valves(ADMIN, "echo", "admin", spec=True)
    assert spec["title"] == "Valves" and set(spec["properties"]) == {"prefix", "count"}
    stored = await admin.update_valves(ADMIN, "echo", "admin", {"count": "3", "prefix": None})
    # None values are dropped, only the fields given are stored, values as validated.
    assert stored == {"count": 3}
    assert store.rows["echo"].valves == {"count": 3}
    assert await admin.valves(ADMIN, "echo", "admin", spec=False) == {"count": 3}


async def test_invalid_valves_are_400_with_the_reason(admin, store) -> None:
    await admin.create(ADMIN, form())
    with pytest.raises(InvalidArgument) as caught:
        await admin.update_valves(ADMIN, "echo", "admin", {"count": "many"})
    assert caught.value.detail.startswith("[ERROR: Error updating function valves: ")
    assert "count" in caught.value.detail
    assert store.rows["echo"].valves is None


async def test_function_without_valves_class(admin) -> None:
    await admin.create(ADMIN, form("plain", PLAIN_FILTER))
    assert await admin.valves(ADMIN, "plain", "admin", spec=True) is None
    assert await admin.valves(USER, "plain", "user", spec=True) is None
    with pytest.raises(NotFound) as caught:
        await admin.update_valves(ADMIN, "plain", "admin", {"a": 1})
    assert caught.value.http_status == 401
    with pytest.raises(NotFound):
        await admin.update_valves(USER, "plain", "user", {"a": 1})


async def test_user_valves_are_per_user(admin, catalog) -> None:
    await admin.create(ADMIN, form())
    assert await admin.valves(USER, "echo", "user", spec=False) == {}
    spec = await admin.valves(USER, "echo", "user", spec=True)
    assert spec["title"] == "UserValves"
    assert await admin.update_valves(USER, "echo", "user", {"shout": True}) == {"shout": True}
    assert await admin.valves(USER, "echo", "user", spec=False) == {"shout": True}
    assert await admin.valves(OTHER, "echo", "user", spec=False) == {}
    assert await catalog.user_valves(USER.user_id, ["echo", "other"]) == {
        "echo": {"shout": True},
        "other": {},
    }
    with pytest.raises(InvalidArgument, match=r"^\[ERROR: Error updating function user valves: "):
        await admin.update_valves(USER, "echo", "user", {"shout": "loud"})


async def test_valves_of_missing_function_are_401(admin) -> None:
    for call in (
        admin.valves(ADMIN, "nope", "admin", spec=False),
        admin.valves(ADMIN, "nope", "admin", spec=True),
        admin.valves(USER, "nope", "user", spec=False),
        admin.update_valves(USER, "nope", "user", {}),
    ):
        with pytest.raises(NotFound) as caught:
            await call
        assert caught.value.http_status == 401


async def test_valves_of_stored_code_that_no_longer_loads(admin, store) -> None:
    await admin.create(ADMIN, form())
    # Stored code broken behind the admin's back (another version of the service, a manual edit).
    store.rows["echo"] = store.rows["echo"].__class__(**{**store.rows["echo"].__dict__, "content": BROKEN})
    with pytest.raises(InvalidArgument, match=r"^\[ERROR: Error updating function valves: SyntaxError"):
        await admin.update_valves(ADMIN, "echo", "admin", {"count": 2})
    with pytest.raises(InvalidArgument, match=r"^\[ERROR: Error loading function: SyntaxError"):
        await admin.valves(ADMIN, "echo", "admin", spec=True)
