"""Pure translation between OpenAI chat-completion payloads and Ollama's /api/chat, as Open WebUI does it
(where we differ on purpose: docs/compatibility.md, "Models and chat")."""

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from services.common.errors import InvalidArgument
from services.inference.params import parse_json_string

# What an Ollama upstream needs `messages` to be (an OpenAI upstream answers such a body itself).
MESSAGES_NOT_OBJECTS = "messages must be a list of objects"

# Top-level OpenAI fields that carry over into Ollama `options` under the same name. Open WebUI
# drops them; we keep them, below `params` and explicit `options` in precedence (docs/compatibility.md).
TOP_LEVEL_OPTIONS = (
    "temperature",
    "top_p",
    "seed",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "top_k",
    "min_p",
    "repeat_penalty",
    "num_ctx",
)
# Ollama keys that live at the payload root, not in `options`, wherever they are given.
ROOT_KEYS = ("format", "keep_alive", "think", "system")
# OpenAI names of Ollama's `num_predict`; the later one wins when both are given.
NUM_PREDICT_ALIASES = ("max_tokens", "max_completion_tokens")
# Sampling params that name no Ollama option and would only draw "invalid option" warnings.
UNSUPPORTED_SAMPLING = frozenset({"logit_bias", "n", "logprobs", "top_logprobs"})


class OllamaStreamError(Exception):
    """Ollama reported an error as a line of its NDJSON stream."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- OpenAI request -> Ollama /api/chat request ------------------------------------------------


def openai_to_ollama(body: dict, sampling: dict) -> dict:
    """An Ollama /api/chat payload from an OpenAI body (already through `apply_params`).

    Precedence, lowest first: top-level OpenAI fields, `sampling` (the request's `params`), the body's
    explicit `options`. Keys Ollama does not know (`user`, `n`, `metadata`, Open WebUI extras) are dropped.
    """
    top_options, top_root = _from_openai_top_level(body)
    sampling_options, sampling_root = _split_ollama_params(_sampling_for_ollama(sampling))
    explicit = body.get("options")
    explicit_options, explicit_root = _split_ollama_params(explicit if isinstance(explicit, dict) else {})

    messages = body.get("messages") or []
    if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
        raise InvalidArgument(MESSAGES_NOT_OBJECTS)
    payload: dict[str, Any] = {
        "model": body.get("model"),
        "messages": convert_messages(messages),
        "stream": bool(body.get("stream", False)),
    }
    if "tools" in body:
        payload["tools"] = body["tools"]
    options = {**top_options, **sampling_options, **explicit_options}
    if options:
        payload["options"] = options
    root = {**top_root, **sampling_root, **explicit_root}
    for key in ROOT_KEYS:
        if key in root:
            payload[key] = root[key]
    return payload


def convert_messages(messages: Iterable[dict]) -> list[dict]:
    """OpenAI chat messages in Ollama's message shape."""
    return [convert_message(message) for message in messages]


def convert_message(message: dict) -> dict:
    """One OpenAI message in Ollama's shape: text content, base64 `images`, `thinking`, parsed tool calls."""
    content = message.get("content")
    converted: dict[str, Any] = {"role": message.get("role")}
    given = message.get("images")
    images = [image for image in given if isinstance(image, str)] if isinstance(given, list) else []
    if isinstance(content, list):
        converted["content"] = _text_of_parts(content)
        images.extend(_images_of_parts(content))
    else:
        converted["content"] = content if isinstance(content, str) else ""
    thinking = message.get("reasoning_content") or message.get("reasoning") or message.get("thinking")
    if thinking:
        converted["thinking"] = thinking
    if images:
        converted["images"] = images
    calls = message.get("tool_calls")
    if calls and isinstance(calls, list):
        converted["tool_calls"] = [
            _tool_call_to_ollama(call, index) for index, call in enumerate(calls) if isinstance(call, dict)
        ]
    for key in ("tool_call_id", "name"):
        if message.get(key) is not None:
            converted[key] = message[key]
    return converted


def response_format_to_ollama(response_format: Any) -> Any:
    """Ollama's `format` for an OpenAI `response_format`, or None when there is nothing to constrain."""
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return "json"
    spec = response_format.get(kind) if isinstance(kind, str) else None
    if isinstance(spec, dict):
        return spec.get("schema")
    return None


def _from_openai_top_level(body: dict) -> tuple[dict, dict]:
    options = {key: body[key] for key in TOP_LEVEL_OPTIONS if body.get(key) is not None}
    for alias in NUM_PREDICT_ALIASES:
        if body.get(alias) is not None:
            options["num_predict"] = body[alias]
    _normalize_stop(options)

    root = _openai_root_params(body)
    # Ollama-native spellings given at the top level win over the OpenAI ones they overlap with.
    for key in ("keep_alive", "think"):
        if body.get(key) is not None:
            root[key] = body[key]
    return options, root


def _sampling_for_ollama(sampling: dict) -> dict:
    """`params` may carry OpenAI spellings (response_format, reasoning_effort): turn them into Ollama's."""
    converted = {
        key: value
        for key, value in sampling.items()
        if key not in UNSUPPORTED_SAMPLING and key not in ("response_format", "reasoning_effort")
    }
    for key, value in _openai_root_params(sampling).items():
        converted.setdefault(key, value)
    return converted


def _openai_root_params(source: dict) -> dict:
    root = {}
    # reasoning_effort has no Ollama equivalent beyond on/off: any effort turns thinking on, "none" off.
    effort = source.get("reasoning_effort")
    if isinstance(effort, str) and effort:
        root["think"] = effort != "none"
    fmt = response_format_to_ollama(source.get("response_format"))
    if fmt is not None:
        root["format"] = fmt
    return root


def _split_ollama_params(params: dict) -> tuple[dict, dict]:
    """(options, root) for Ollama: root keys lifted out, `max_tokens` aliases renamed to `num_predict`."""
    options: dict[str, Any] = {}
    root: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or key in NUM_PREDICT_ALIASES:
            continue
        if key in ROOT_KEYS:
            root[key] = parse_json_string(value) if key in ("format", "keep_alive") else value
        else:
            options[key] = value
    # An explicit `num_predict` is Ollama's own spelling, so it wins over the OpenAI aliases.
    if "num_predict" not in options:
        for alias in NUM_PREDICT_ALIASES:
            if params.get(alias) is not None:
                options["num_predict"] = params[alias]
    _normalize_stop(options)
    return options, root


def _normalize_stop(options: dict) -> None:
    # OpenAI allows a single stop string; Ollama rejects anything but an array.
    if isinstance(options.get("stop"), str):
        options["stop"] = [options["stop"]]


def _text_of_parts(parts: list) -> str:
    texts = [
        part.get("text") or "" for part in parts if isinstance(part, dict) and part.get("type") == "text"
    ]
    return "\n".join(texts).strip()


def _images_of_parts(parts: list) -> list[str]:
    images = []
    for part in parts:
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str) and url:
            images.append(_strip_data_url(url))
    return images


def _strip_data_url(url: str) -> str:
    # Ollama wants bare base64; other URLs are passed on as they are (Ollama cannot fetch them either).
    if url.startswith("data:") and "," in url:
        return url.split(",", 1)[1]
    return url


def _tool_call_to_ollama(call: dict, position: int) -> dict:
    function = call.get("function") if isinstance(call.get("function"), dict) else {}
    converted: dict[str, Any] = {"index": call.get("index", position)}
    if call.get("id") is not None:
        converted["id"] = call["id"]
    converted["function"] = {
        "name": function.get("name", ""),
        "arguments": _parse_arguments(function.get("arguments")),
    }
    return converted


def _parse_arguments(arguments: Any) -> dict:
    if isinstance(arguments, dict):
        return arguments
    # Ollama needs an object; "" (a call without arguments) or unparsable text in history becomes {}.
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else None
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- Ollama reply -> OpenAI reply ---------------------------------------------------------------


def usage_from_ollama(final: dict) -> dict:
    """Open WebUI's extended usage object from the timings of Ollama's final (`done`) object."""
    prompt_tokens = int(final.get("prompt_eval_count") or 0)
    completion_tokens = int(final.get("eval_count") or 0)
    total_duration = final.get("total_duration") or 0
    return {
        "input_tokens": prompt_tokens,
        "output_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "response_token/s": _tokens_per_second(final.get("eval_count"), final.get("eval_duration")),
        "prompt_token/s": _tokens_per_second(
            final.get("prompt_eval_count"), final.get("prompt_eval_duration")
        ),
        "total_duration": total_duration,
        "load_duration": final.get("load_duration") or 0,
        "prompt_eval_count": final.get("prompt_eval_count") or 0,
        "prompt_eval_duration": final.get("prompt_eval_duration") or 0,
        "eval_count": final.get("eval_count") or 0,
        "eval_duration": final.get("eval_duration") or 0,
        "approximate_total": _approximate_duration(total_duration),
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def ollama_to_openai(response: dict, model: str, completion_id: str, created: int) -> dict:
    """A non-streaming Ollama /api/chat reply as an OpenAI `chat.completion` (Open WebUI's key order)."""
    message = response.get("message") or {}
    reply: dict[str, Any] = {"role": "assistant", "content": message.get("content") or ""}
    if message.get("thinking"):
        reply["reasoning_content"] = message["thinking"]
    tool_calls = _tool_calls_to_openai(message.get("tool_calls") or [], lambda position: position)
    if tool_calls:
        reply["tool_calls"] = tool_calls
    return {
        "id": completion_id,
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": "tool_calls" if tool_calls else "stop",
                "message": reply,
            }
        ],
        "object": "chat.completion",
        "usage": usage_from_ollama(response),
    }


class OllamaStreamConverter:
    """Turns Ollama's NDJSON objects, one at a time, into OpenAI `chat.completion.chunk` objects."""

    def __init__(self, model: str, completion_id: str, created: int) -> None:
        self._model = model
        self._completion_id = completion_id
        self._created = created
        self._sent_role = False
        self._tool_calls_seen = 0
        # Set by the `done: true` line: a stream that ends without one was cut short.
        self.finished = False

    def convert(self, line: dict) -> dict:
        """The chunk for one Ollama line; raises OllamaStreamError for an `{"error": ...}` line."""
        if line.get("error") is not None:
            raise OllamaStreamError(_error_text(line["error"]))
        delta = self._delta(line.get("message") or {})
        # Open WebUI's quirk, kept for its clients (docs/compatibility.md): any chunk with nothing in its
        # delta says "stop".
        finish_reason = None if delta else "stop"
        if not self._sent_role:
            delta["role"] = "assistant"
            self._sent_role = True
        done = bool(line.get("done"))
        if done:
            self.finished = True
            finish_reason = "tool_calls" if self._tool_calls_seen else (line.get("done_reason") or "stop")
        chunk: dict[str, Any] = {
            "id": self._completion_id,
            "created": self._created,
            "model": self._model,
            "choices": [{"index": 0, "logprobs": None, "finish_reason": finish_reason, "delta": delta}],
            "object": "chat.completion.chunk",
        }
        if done:
            chunk["usage"] = usage_from_ollama(line)
        return chunk

    def _delta(self, message: dict) -> dict:
        delta: dict[str, Any] = {}
        if message.get("content"):
            delta["content"] = message["content"]
        if message.get("thinking"):
            delta["reasoning_content"] = message["thinking"]
        if message.get("tool_calls"):
            # Ollama sends whole calls, possibly one per line; OpenAI clients merge deltas by index, so
            # each call gets the next index of the stream rather than its position within the line.
            first = self._tool_calls_seen
            delta["tool_calls"] = _tool_calls_to_openai(message["tool_calls"], lambda i: first + i)
            self._tool_calls_seen += len(delta["tool_calls"])
        return delta


def ollama_error_message(body: bytes) -> str:
    """The text of an Ollama error reply: its `{"error": ...}` field, else the body as text."""
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return text.strip()
    if isinstance(parsed, dict) and parsed.get("error") is not None:
        return _error_text(parsed["error"])
    return text.strip()


def _tool_calls_to_openai(calls: list, index_of: Callable[[int], int]) -> list[dict]:
    return [_tool_call_to_openai(call, index_of(position)) for position, call in enumerate(calls)]


def _tool_call_to_openai(call: dict, index: int) -> dict:
    function = call.get("function") or {}
    arguments = function.get("arguments", {})
    return {
        "index": index,
        "id": call.get("id") or f"call_{uuid.uuid4().hex}",
        "type": "function",
        "function": {
            "name": function.get("name", ""),
            # Open WebUI serialises with stdlib json.dumps (", " and ": " separators); a string is
            # already serialised and must not be quoted a second time.
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
        },
    }


def _tokens_per_second(count: Any, duration_ns: Any) -> float | str:
    if not duration_ns or duration_ns <= 0:
        return "N/A"
    # Same arithmetic as Open WebUI so the rounded figures agree to the last digit.
    return round(((count or 0) / (duration_ns / 10_000_000)) * 100, 2)


def _approximate_duration(duration_ns: int) -> str:
    seconds = int(duration_ns) // 1_000_000_000
    return f"{seconds // 3600}h{(seconds % 3600) // 60}m{seconds % 60}s"


def _error_text(error: Any) -> str:
    return error if isinstance(error, str) else json.dumps(error)
