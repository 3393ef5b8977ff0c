"""Where the services enforce §6.4's permission keys and §6.2's grants (admins bypass): chat.delete,
chat.share, chat.import, chat.temporary(+_enforced), features.folders, group grants on shared
chats, and a workspace model's ``access/update`` (a raw model's minimal row). In memory, no I/O."""

import dataclasses

import orjson
import pytest

from services.common import errors, messages, permissions
from services.common.identity import Identity
from services.inference.chats.service import ChatService
from services.inference.chats.sharing import ChatSharing, ShareMode
from services.inference.chats.transfer import ChatTransfer
from services.inference.workspace.admin import ModelAdmin
from tests.unit.fake_chat_store import FakeChatStore
from tests.unit.test_chat_rules import chat_form
from tests.unit.test_workspace_models import CountingCatalog, FakeStore, base_models, grant

DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ADMIN = Identity("root", "admin")
ALICE = Identity("alice", "user", permissions=DEFAULT_KEYS)
# A member of "team" (and, through it, of its parent "org").
BOB = Identity("bob", "user", group_ids=frozenset({"team", "org"}), permissions=DEFAULT_KEYS)
CAROL = Identity("carol", "user", permissions=DEFAULT_KEYS)


def without(identity: Identity, *keys: str) -> Identity:
    return dataclasses.replace(identity, permissions=identity.permissions - set(keys))


def status(error: pytest.ExceptionInfo) -> tuple[str, int | None]:
    return error.value.detail, error.value.http_status


def build(store: FakeChatStore) -> tuple[ChatService, ChatSharing, ChatTransfer]:
    ids = iter(f"id-{i}" for i in range(1000))
    chats = ChatService(store, admin_access=True, max_bytes=1 << 20, new_id=lambda: next(ids))
    sharing = ChatSharing(store, store, chats, admin_access=True, new_id=lambda: next(ids))
    transfer = ChatTransfer(store, chats, max_bytes=1 << 20, new_id=lambda: next(ids))
    return chats, sharing, transfer


async def test_chat_delete_needs_the_permission() -> None:
    store = FakeChatStore()
    chats, _, _ = build(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    no_delete = without(ALICE, permissions.CHAT_DELETE)
    for attempt in (chats.delete(no_delete, chat_id), chats.delete_all(no_delete)):
        with pytest.raises(errors.PermissionDenied) as refused:
            await attempt
        assert status(refused) == (messages.ACCESS_PROHIBITED, 401)
    assert await chats.delete(ALICE, chat_id)


async def test_share_needs_chat_share_and_clone_import_fork_need_chat_import() -> None:
    store = FakeChatStore()
    chats, sharing, transfer = build(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    with pytest.raises(errors.PermissionDenied) as refused:
        await sharing.share(without(ALICE, permissions.CHAT_SHARE), chat_id, ShareMode.KEEP)
    assert status(refused) == (messages.ACCESS_PROHIBITED, 401)
    token = (await sharing.share(ALICE, chat_id, ShareMode.KEEP)).row.share_id
    no_import = without(ALICE, permissions.CHAT_IMPORT)
    attempts = (
        chats.clone(no_import, chat_id, None),
        sharing.clone(no_import, token),
        transfer.fork(no_import, chat_id, None),
        transfer.import_chats(no_import, orjson.dumps({"chats": []})),
    )
    for attempt in attempts:
        with pytest.raises(errors.PermissionDenied) as refused:
            await attempt
        assert status(refused) == (messages.ACCESS_PROHIBITED, 403)
    # Admins bypass every key.
    assert (await chats.clone(ADMIN, (await chats.create(ADMIN, chat_form())).row.id, None)).row.id


async def test_enforced_temporary_chats_refuse_stored_ones() -> None:
    store = FakeChatStore()
    chats, _, transfer = build(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    temporary = dataclasses.replace(
        ALICE, permissions=ALICE.permissions | {permissions.CHAT_TEMPORARY_ENFORCED}
    )
    for attempt in (
        chats.create(temporary, chat_form()),
        chats.clone(temporary, chat_id, None),
        transfer.fork(temporary, chat_id, None),
        transfer.import_chats(temporary, orjson.dumps({"chats": []})),
    ):
        with pytest.raises(errors.PermissionDenied) as refused:
            await attempt
        assert status(refused) == (messages.ACCESS_PROHIBITED, 403)
    # Enforced without temporary chats allowed at all is not enforced (Open WebUI needs both).
    both_off = without(temporary, permissions.CHAT_TEMPORARY)
    assert (await chats.create(both_off, chat_form())).row.id
    admin = dataclasses.replace(ADMIN, permissions=temporary.permissions)
    assert (await chats.create(admin, chat_form())).row.id


async def test_shared_chat_group_grants_reach_members_and_need_allow_groups() -> None:
    store = FakeChatStore()
    chats, sharing, _ = build(store)
    chat_id = (await chats.create(ALICE, chat_form())).row.id
    token = (await sharing.share(ALICE, chat_id, ShareMode.KEEP)).row.share_id
    group_read = orjson.dumps([{"principal_type": "group", "principal_id": "org", "permission": "read"}])
    with pytest.raises(errors.PermissionDenied) as refused:
        await sharing.update_grants(
            without(ALICE, permissions.ALLOW_GROUPS), chat_id, group_read, ShareMode.KEEP
        )
    assert refused.value.detail == "You do not have permission to share with the requested audience"
    await sharing.update_grants(ALICE, chat_id, group_read, ShareMode.KEEP)
    assert (await sharing.get(BOB, token)).row.id == token
    with pytest.raises(errors.PermissionDenied):
        await sharing.get(CAROL, token)
    public = orjson.dumps([{"principal_type": "user", "principal_id": "*", "permission": "read"}])
    with pytest.raises(errors.PermissionDenied):
        await sharing.update_grants(ALICE, chat_id, public, ShareMode.KEEP)
    sharer = dataclasses.replace(ALICE, permissions=ALICE.permissions | {"sharing.public_chats"})
    await sharing.update_grants(sharer, chat_id, public, ShareMode.KEEP)
    assert (await sharing.get(CAROL, token)).row.id == token


# -- a workspace model's access/update ---------------------------------------------------------------


def model_admin(store: FakeStore) -> ModelAdmin:
    return ModelAdmin(store, CountingCatalog(), base_models, clock=lambda: 1000.0)


async def test_model_access_update_creates_a_raw_models_row_for_admins_only() -> None:
    store = FakeStore()
    admin = model_admin(store)
    with pytest.raises(errors.PermissionDenied) as refused:
        await admin.update_access(ALICE, "llama3:latest", "", [grant("bob")])
    assert status(refused) == (messages.ACCESS_PROHIBITED, 403)
    assert store.rows == {}
    group = {"principal_type": "group", "principal_id": "team", "permission": "read"}
    row = await admin.update_access(ADMIN, "llama3:latest", "", [group])
    assert (row.base_model_id, row.name, row.meta, row.params, row.is_active) == (
        None,
        "llama3:latest",
        {},
        {},
        True,
    )
    assert [(g["principal_type"], g["principal_id"]) for g in row.access_grants] == [("group", "team")]
    # The row makes the raw model readable by the group's members.
    assert (await admin.get(BOB, "llama3:latest")).row.id == "llama3:latest"
    with pytest.raises(errors.PermissionDenied):
        await admin.get(CAROL, "llama3:latest")


async def test_model_access_update_codes() -> None:
    store = FakeStore()
    admin = model_admin(store)
    await admin.create(ADMIN, {"id": "helper", "name": "Helper", "base_model_id": "gpt-4o"})
    with pytest.raises(errors.PermissionDenied) as refused:
        await admin.update_access(ALICE, "helper", "", [])
    assert status(refused) == (messages.ACCESS_PROHIBITED, 400)
    with pytest.raises(errors.PermissionDenied) as refused:
        await admin.update_access(
            ADMIN, "helper", "", [{"principal_type": "anyone", "principal_id": "*", "permission": "read"}]
        )
    assert refused.value.detail == "You do not have permission to share with the requested audience"
    for bad in ("", "has space", "x" * 257):
        with pytest.raises(errors.InvalidArgument):
            await admin.update_access(ADMIN, bad, "", [])
    # A writer without sharing.models may clear the grants, not give any.
    await admin.update_access(ADMIN, "helper", "", [grant("alice"), grant("alice", "write")])
    with pytest.raises(errors.PermissionDenied):
        await admin.update_access(ALICE, "helper", "", [grant("carol")])
    assert (await admin.update_access(ALICE, "helper", "", [])).access_grants == []
