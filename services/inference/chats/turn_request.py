"""The fields of ``POST /api/chat/completions`` that tie a completion to a stored chat
(api-contract-2.md §1.4), read once into a ``TurnRequest``."""

from dataclasses import dataclass, field

from services.common import messages
from services.common.errors import AlreadyExists, InvalidArgument
from services.common.forms.types import has_nul

# Chat ids Open WebUI never stores: temporary and local chats, and channel threads.
UNSTORED_PREFIXES = ("local:", "temporary:", "channel:")
MESSAGE_EXISTS = "Message already exists or has an invalid ID."
PARENT_GONE = "Parent message no longer exists."
REGENERATE_USER_ONLY = "You can only regenerate replies to user messages."
INVALID_RESPONSE_ID = "Invalid response ID."


@dataclass(frozen=True)
class TurnRequest:
    model: str
    # None: the completion creates a chat (``"parent_id": null`` without ``chat_id``).
    chat_id: str | None
    # The assistant messages the reply fills (the entries of ``message_ids`` for this model, or
    # ``id``); empty when a new chat is created without them.
    assistant_ids: list[str]
    user_message: dict | None
    # ``parent_id`` when the request has the key (None: it has none, or it is null).
    parent_id: str | None
    # ``assistant_message_id``: the reply continues this message.
    continue_id: str | None = None
    folder_id: str | None = None
    variables: dict = field(default_factory=dict)
    # ``background_tasks`` switched on: ``title_generation``, ``tags_generation``,
    # ``follow_up_generation``.
    background: frozenset[str] = frozenset()

    @property
    def creates(self) -> bool:
        return self.chat_id is None


def _ids_for(model: str, message_ids: object) -> list[str] | None:
    """This model's entries of ``message_ids`` (a list of ``{model_id, message_id}`` or the legacy
    ``{model_id: message_id}``); None when the request has none."""
    if isinstance(message_ids, dict):
        pairs = list(message_ids.items())
    elif isinstance(message_ids, list):
        pairs = [
            (entry.get("model_id"), entry.get("message_id"))
            for entry in message_ids
            if isinstance(entry, dict)
        ]
    else:
        return None
    if not pairs:
        return None
    ids = [mid for model_id, mid in pairs if model_id == model]
    if not all(isinstance(mid, str) and mid for mid in ids):
        raise AlreadyExists(MESSAGE_EXISTS)
    return ids


def _user_message(body: dict) -> dict | None:
    message = body.get("user_message", body.get("parent_message"))
    if message is None:
        return None
    if not isinstance(message, dict):
        raise InvalidArgument("user_message must be an object")
    if "role" not in message:
        # Open WebUI's KeyError text.
        raise InvalidArgument("'role'")
    if message.get("role") != "user":
        raise InvalidArgument("user_message.role must be user")
    message_id = message.get("id")
    if message_id is not None and not (isinstance(message_id, str) and message_id):
        raise InvalidArgument("user_message.id must be a non-empty string")
    parent = message.get("parentId")
    if parent is not None and not isinstance(parent, str):
        raise InvalidArgument("user_message.parentId must be a string or null")
    return message


def parse(body: dict, model: str) -> TurnRequest | None:
    """The request's tie to a stored chat; None for a plain API call (or a chat that is never
    stored)."""
    chat_id = body.get("chat_id")
    if isinstance(chat_id, str) and chat_id.startswith(UNSTORED_PREFIXES):
        return None
    if chat_id is not None and not isinstance(chat_id, str):
        raise InvalidArgument("chat_id must be a string")
    if not chat_id:
        if not ("parent_id" in body and body["parent_id"] is None):
            return None
        chat_id = None
    parent = body.get("parent_id")
    if parent is not None and not isinstance(parent, str):
        raise InvalidArgument("parent_id must be a string or null")
    ids = _ids_for(model, body.get("message_ids"))
    if ids is None:
        given = body.get("id")
        if given is not None and not (isinstance(given, str) and given):
            raise AlreadyExists(MESSAGE_EXISTS)
        ids = [given] if given else []
    if len(set(ids)) != len(ids):
        raise AlreadyExists(MESSAGE_EXISTS)
    continue_id = body.get("assistant_message_id")
    if continue_id is not None:
        if not (isinstance(continue_id, str) and continue_id):
            raise InvalidArgument(INVALID_RESPONSE_ID)
        if any(mid != continue_id for mid in ids):
            raise InvalidArgument(INVALID_RESPONSE_ID)
        ids = [continue_id]
    background = body.get("background_tasks")
    folder_id = body.get("folder_id")
    variables = body.get("chat_variables")
    user_message = _user_message(body)
    stored = [chat_id, parent, ids, continue_id, folder_id, variables, user_message]
    if chat_id is None:
        # A new chat without a user message stores the request's conversation.
        stored.append(body.get("messages"))
    if has_nul(stored):
        raise InvalidArgument(messages.FUNCTION_NOT_STORABLE)
    return TurnRequest(
        model=model,
        chat_id=chat_id,
        assistant_ids=ids,
        user_message=user_message,
        parent_id=parent,
        continue_id=continue_id,
        folder_id=folder_id if isinstance(folder_id, str) and folder_id else None,
        variables=variables if isinstance(variables, dict) else {},
        background=frozenset(
            key
            for key in ("title_generation", "tags_generation", "follow_up_generation")
            if isinstance(background, dict) and background.get(key) is True
        ),
    )
