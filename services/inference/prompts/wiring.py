"""The prompts' object graph, built in one place: repository, rules, history and servicer."""

import asyncpg

from services.common.group_check import GroupDirectory
from services.inference.prompts.history import PromptHistory
from services.inference.prompts.repository import PromptRepository
from services.inference.prompts.service import PromptService
from services.inference.prompts.servicer import PromptsServicer
from services.inference.settings import InferenceSettings


def build_prompts_servicer(
    pool: asyncpg.Pool, settings: InferenceSettings, groups: GroupDirectory | None = None
) -> PromptsServicer:
    """``groups`` checks that grants name existing groups (400 otherwise); None lets any through."""
    store = PromptRepository(pool)
    rules = PromptService(
        store, bypass_admin_access_control=settings.bypass_admin_access_control, groups=groups
    )
    return PromptsServicer(rules, PromptHistory(store, rules))
