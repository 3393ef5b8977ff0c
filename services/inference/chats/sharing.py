"""Chat sharing (Open WebUI's share routes of ``/api/v1/chats``): snapshots under a share token,
access grants saying who besides the owner may read them, and cloning one. No I/O of its own.

Non-admins need ``chat.share`` to share (401) and ``chat.import`` to clone (403); the grants a
caller may give follow §6.2 (``sharing.public_chats`` for ``user:*``, ``sharing.open_chats`` for
``anyone:*``, ``access_grants.allow_*``), decided by ``services.common.access``, and a group they
name must exist (400)."""

import enum
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

import orjson

from services.common import access as grants_access
from services.common import errors, messages, permissions
from services.common.group_check import GroupDirectory, require_known_groups
from services.common.identity import Identity
from services.inference.chats import access, blob, tree
from services.inference.chats.records import ChatRow, ChatView, StoredChat
from services.inference.chats.service import ChatService
from services.inference.chats.share_store import AccessGrant, SharedChat, ShareStore
from services.inference.chats.store import ChatStore

PAGE_SIZE = 60


class ShareMode(enum.Enum):
    """A share's mode as a request sets it: left as it is, none (everyone reads the snapshot), or
    ``continue`` (readers with write access get the live chat)."""

    KEEP = "keep"
    NONE = None
    CONTINUE = "continue"


def allows(grants: list[AccessGrant], identity: Identity, permission: str) -> bool:
    """Whether a grant gives the caller ``permission`` (to them, a group of theirs, every user or
    anyone): a read check matches only read grants, as in Open WebUI."""
    return grants_access.granted(identity, grants, permission, anyone=True)


def snapshot_view(share: SharedChat) -> ChatView:
    """The ChatResponse Open WebUI builds from a snapshot: the token for ``id`` and ``share_id``,
    the sharer as ``user_id``, nothing of the live chat's row."""
    row = ChatRow(
        id=share.id,
        user_id=share.user_id,
        title=share.title,
        blob=share.blob,
        meta={},
        variables={},
        created_at=share.created_at,
        updated_at=share.updated_at,
        share_id=share.id,
    )
    return ChatView(row, share.blob, None, False)


def _whole_blob(chat: StoredChat) -> dict:
    """The chat blob as its owner sees it, untrimmed."""
    repaired, current = tree.repair(chat.messages, chat.row.current_message_id)
    return blob.assemble(chat.row.blob, repaired, current)


class ChatSharing:
    def __init__(
        self,
        store: ChatStore,
        shares: ShareStore,
        chats: ChatService,
        *,
        admin_access: bool,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        groups: GroupDirectory | None = None,
    ) -> None:
        self._store = store
        self._shares = shares
        self._chats = chats
        self._admin_access = admin_access
        self._groups = groups
        self._clock = clock
        self._new_id = new_id

    def _now(self) -> int:
        return int(self._clock())

    def _admin_reader(self, identity: Identity) -> bool:
        return identity.is_admin and self._admin_access

    # -- the owner's side ----------------------------------------------------------------------

    async def share(self, identity: Identity, chat_id: str, share_mode: ShareMode) -> ChatView:
        """Snapshots an owned chat; sharing again re-snapshots under the same token."""
        access.require_chat_permission(identity, permissions.CHAT_SHARE, 401)
        chat = access.require_owner(await self._store.load(chat_id), identity, messages.ACCESS_PROHIBITED)
        token = await self._shares.save_share(
            chat_id, identity.user_id, chat.row.title, _whole_blob(chat), self._now(), self._new_id()
        )
        if token is None:
            raise access.denied(messages.ACCESS_PROHIBITED)
        if share_mode is not ShareMode.KEEP:
            await self._shares.set_share_mode(chat_id, share_mode.value)
        shared = access.require_owner(await self._store.load(chat_id), identity, messages.ACCESS_PROHIBITED)
        return self._chats.view(shared, identity)

    async def unshare(self, identity: Identity, chat_id: str) -> bool:
        access.require_owner(await self._store.load(chat_id), identity, messages.ACCESS_PROHIBITED)
        await self._shares.unshare(chat_id)
        return True

    async def unshare_all(self, identity: Identity) -> bool:
        await self._shares.unshare_all(identity.user_id)
        return True

    async def list_shares(
        self, identity: Identity, *, page: int, query: str, order_by: str, ascending: bool
    ) -> list[SharedChat]:
        """The caller's shares, 60 a page."""
        offset = (max(page, 1) - 1) * PAGE_SIZE
        return await self._shares.list_shares(
            identity.user_id, query.replace("\x00", ""), order_by, ascending, PAGE_SIZE, offset
        )

    async def _managed(self, identity: Identity, chat_id: str) -> StoredChat:
        """A chat whose grants the caller may see and set: their own; any chat for an admin with
        admin chat access. Anything else reads as missing (404)."""
        chat = await self._store.load(chat_id)
        if chat is None or not (access.is_owner(chat, identity) or self._admin_reader(identity)):
            raise errors.NotFound(messages.NOT_FOUND)
        return chat

    async def grants(self, identity: Identity, chat_id: str) -> list[AccessGrant]:
        await self._managed(identity, chat_id)
        return await self._shares.grants(chat_id)

    async def update_grants(
        self, identity: Identity, chat_id: str, raw_grants: bytes, share_mode: ShareMode
    ) -> ChatView:
        """Replaces the chat's grants with the normalised list; any grant the caller may not give
        refuses the whole request (403), as Open WebUI's access-update routes do."""
        chat = await self._managed(identity, chat_id)
        try:
            raw = orjson.loads(raw_grants) if raw_grants else []
        except orjson.JSONDecodeError:
            raise errors.InvalidArgument("access_grants_json must be a JSON list") from None
        wanted = grants_access.shareable_grants(identity, "shared_chat", raw, strict=True)
        await require_known_groups(self._groups, identity, wanted)
        # A grant kept from before keeps its id.
        known = {
            (g.principal_type, g.principal_id, g.permission): g.id for g in await self._shares.grants(chat_id)
        }
        grants = [AccessGrant(known.get(grant) or self._new_id(), *grant) for grant in wanted]
        await self._shares.set_grants(chat_id, grants, self._now())
        if share_mode is not ShareMode.KEEP:
            await self._shares.set_share_mode(chat_id, share_mode.value)
        return self._chats.view(chat, identity)

    # -- the reader's side ---------------------------------------------------------------------

    async def get(self, identity: Identity, token: str) -> ChatView:
        """The snapshot behind a token, for its sharer, a grantee with read access, or an admin
        with admin chat access (who may also pass a chat id). With ``continue`` a reader who may
        write gets the live chat."""
        share = await self._shares.share(token)
        if share is None:
            chat = await self._store.load(token) if self._admin_reader(identity) else None
            if chat is None:
                raise access.denied(messages.NOT_FOUND)
            return self._chats.view(chat, identity)
        owner = share.user_id == identity.user_id
        grants = [] if owner else await self._shares.grants(share.chat_id)
        if not (owner or self._admin_reader(identity) or allows(grants, identity, "read")):
            raise access.denied(messages.ACCESS_PROHIBITED)
        if (owner or allows(grants, identity, "write")) and await self._shares.share_mode(
            share.chat_id
        ) == ShareMode.CONTINUE.value:
            live = await self._store.load(share.chat_id)
            if live is not None:
                return replace(self._chats.view(live, identity), write_access=True)
        return snapshot_view(share)

    async def clone(self, identity: Identity, source_id: str) -> ChatView:
        """A new chat of the caller's from a share (or, for an admin with admin chat access, from
        any chat): ``Clone of <title>``, every message the caller's, no variables, no folder."""
        access.require_chat_permission(identity, permissions.CHAT_IMPORT, 403)
        access.require_stored_chats(identity)
        share = await self._shares.share(source_id)
        if share is None:
            chat = await self._store.load(source_id) if self._admin_reader(identity) else None
            if chat is None:
                raise access.denied(messages.NOT_FOUND)
            title, source = chat.row.title, _whole_blob(chat)
        else:
            # Open WebUI lets any admin clone a share, whatever admin chat access says.
            privileged = share.user_id == identity.user_id or identity.is_admin
            if not privileged and not allows(await self._shares.grants(share.chat_id), identity, "read"):
                raise access.denied(messages.ACCESS_PROHIBITED)
            title, source = share.title, share.blob
        new_title = f"Clone of {title}"
        history = source.get("history")
        current = history.get("currentId") if isinstance(history, dict) else None
        cloned = {
            **{k: v for k, v in source.items() if k != "share_mode"},
            "originalChatId": source_id,
            "branchPointMessageId": current,
            "title": new_title,
        }
        kept, sent, current_id = blob.split(cloned)
        if "messages" in kept:
            kept["messages"] = tree.stamp_list(kept["messages"], identity)
        chat_messages = {key: tree.stamp(m, identity) for key, m in (sent or {}).items()}
        now = self._now()
        # Not checked against CHAT_MAX_BYTES: the source was within it when stored, and the stamps
        # add a few bytes a message.
        row = ChatRow(
            id=self._new_id(),
            user_id=identity.user_id,
            title=new_title,
            blob=kept,
            meta={},
            variables={},
            created_at=now,
            updated_at=now,
            current_message_id=current_id,
        )
        chat = StoredChat(row, chat_messages, {key: i for i, key in enumerate(chat_messages)})
        await self._store.insert(chat)
        return self._chats.view(chat, identity)
