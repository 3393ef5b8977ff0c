"""The chat routes beyond ChatService's own, built together: import and fork, params and message
events, read state, the admin views, the chat configuration and the statistics."""

from dataclasses import dataclass

from services.inference.chats.admin import ChatAdmin
from services.inference.chats.chat_config import ChatConfigStore
from services.inference.chats.events import ChatEvents
from services.inference.chats.read_state import ChatReadState
from services.inference.chats.stats import ChatStats
from services.inference.chats.transfer import ChatTransfer


@dataclass(frozen=True)
class ChatExtras:
    transfer: ChatTransfer
    events: ChatEvents
    read_state: ChatReadState
    admin: ChatAdmin
    config: ChatConfigStore
    stats: ChatStats
