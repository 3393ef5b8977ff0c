"""Open WebUI's `params` request extension: system prompt, stream override and sampling params."""

import json
from typing import Any

# Keys Open WebUI consumes itself; they must never reach an upstream. `note_id` and
# `tool_approval_mode` are newer UI-only keys that Open WebUI strips the same way.
OPEN_WEBUI_ONLY_PARAMS = frozenset(
    {
        "function_calling",
        "stream_response",
        "stream_delta_chunk_size",
        "reasoning_tags",
        "compact_token_threshold",
        "system",
        "note_id",
        "tool_approval_mode",
    }
)


def apply_params(body: dict) -> tuple[dict, dict]:
    """Removes `params` from a chat body and applies it; returns (new body, sampling params).

    `params.system` is prepended to the first system message (or becomes one), `params.stream_response`
    sets `stream`, `custom_params` is merged over the rest, and what remains (temperature, top_p, seed,
    max_tokens, stop, num_ctx, ...) is returned for the caller to place upstream. The input is not changed.
    """
    new_body = dict(body)
    params = new_body.pop("params", None)
    if not isinstance(params, dict):
        params = {}

    stream_response = params.get("stream_response")
    if isinstance(stream_response, bool):
        new_body["stream"] = stream_response

    system = params.get("system")
    if isinstance(system, str) and system:
        new_body["messages"] = add_system_prompt(system, new_body.get("messages") or [])

    return new_body, sampling_params(params)


def sampling_params(params: dict) -> dict:
    """The params minus Open WebUI's own keys, with `custom_params` (JSON strings parsed) merged over them."""
    rest = {key: value for key, value in params.items() if key not in OPEN_WEBUI_ONLY_PARAMS}
    custom = rest.pop("custom_params", None)
    if isinstance(custom, dict) and custom:
        rest = deep_merge(rest, {key: parse_json_string(value) for key, value in custom.items()})
    # Open WebUI skips params whose value is None rather than sending nulls upstream.
    return {key: value for key, value in rest.items() if value is not None}


def merge_params_for_openai(body: dict, sampling: dict) -> dict:
    """Copies sampling params to the top level of an OpenAI body, never over a key the body has (0.12)."""
    merged = dict(body)
    for key, value in sampling.items():
        if key not in merged:
            merged[key] = value
    return merged


def add_system_prompt(system: str, messages: list) -> list:
    """Open WebUI's `add_or_update_system_message`: prepend to a leading system message, else insert one."""
    if not messages or not isinstance(messages[0], dict) or messages[0].get("role") != "system":
        return [{"role": "system", "content": system}, *messages]
    first = dict(messages[0])
    first["content"] = _prepend_text(system, first.get("content"))
    return [first, *messages[1:]]


def deep_merge(base: dict, update: dict) -> dict:
    """A new dict: `update` over `base`, nested dicts merged rather than replaced."""
    merged = dict(base)
    for key, value in update.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _prepend_text(system: str, content: Any) -> Any:
    if isinstance(content, list):
        return [
            {**part, "text": f"{system}\n{part.get('text', '')}"}
            if isinstance(part, dict) and part.get("type") == "text"
            else part
            for part in content
        ]
    if not content:
        return system
    return f"{system}\n{content}"


def parse_json_string(value: Any) -> Any:
    """A JSON value stored as text (model params keep `format`, `keep_alive`, custom params so);
    anything that is not JSON text is returned as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
