"""Which model runs a task, and the task payload's generation parameters (Open WebUI's rule)."""

from collections.abc import Mapping

# What title generation asks for when neither TASK_MODEL_PARAMS nor the model sets max_tokens.
TITLE_MAX_TOKENS = 1000
# An emoji is one or two tokens: Open WebUI caps the answer there.
EMOJI_MAX_TOKENS = 4


def task_model_id(
    model_id: str, models: Mapping[str, dict], task_model: str, task_model_external: str
) -> str:
    """TASK_MODEL for a local (Ollama) chat model, TASK_MODEL_EXTERNAL for any other, each only when
    set and in ``models``; otherwise the chat model itself."""
    model = models.get(model_id) or {}
    chosen = task_model if model.get("connection_type") == "local" else task_model_external
    return chosen if chosen and chosen in models else model_id


# What a task request is made of: parameters never replace these.
_TASK_KEYS = frozenset(("model", "messages", "stream", "metadata"))


def task_params(params: Mapping[str, object]) -> dict:
    """TASK_MODEL_PARAMS without its empty values (an empty string or null sets nothing) and without
    keys that would change what the task sends rather than how the model generates."""
    return {
        key: value
        for key, value in params.items()
        if value is not None and value != "" and key not in _TASK_KEYS
    }


def title_max_tokens(stored_params: Mapping[str, object] | None) -> object:
    """The ``max_tokens`` the task model's workspace row stores, else TITLE_MAX_TOKENS."""
    value = (stored_params or {}).get("max_tokens")
    return value if value is not None else TITLE_MAX_TOKENS
