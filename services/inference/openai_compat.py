"""What Open WebUI changes in a chat body for the OpenAI-compatible host it goes to."""

_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
# These older reasoning models take no system or developer role at all.
_USER_ROLE_MODELS = ("o1-mini", "o1-preview")


def is_reasoning_model(model: str) -> bool:
    return model.lower().startswith(_REASONING_PREFIXES)


def adapt_for_host(payload: dict, base_url: str) -> dict:
    """OpenAI's reasoning models take ``max_completion_tokens`` and a ``developer`` message instead
    of ``max_tokens`` and ``system``; other hosts know only ``max_tokens``. Returns a new dict."""
    adapted = dict(payload)
    model = str(adapted.get("model", ""))
    if "api.openai.com" in base_url:
        if not is_reasoning_model(model):
            return adapted
        if "max_tokens" in adapted:
            adapted["max_completion_tokens"] = adapted.pop("max_tokens")
        messages = adapted.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        if isinstance(first, dict) and first.get("role") == "system":
            role = "user" if model.lower().startswith(_USER_ROLE_MODELS) else "developer"
            adapted["messages"] = [{**first, "role": role}, *messages[1:]]
        return adapted
    if "max_completion_tokens" in adapted:
        adapted["max_tokens"] = adapted.pop("max_completion_tokens")
    return adapted
