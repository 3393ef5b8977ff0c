"""OpenAI <-> Ollama /api/chat translation: payload mapping, replies, stream chunks and usage."""

import copy
import json

import pytest

from services.common.errors import InvalidArgument
from services.inference.ollama_convert import (
    OllamaStreamConverter,
    OllamaStreamError,
    convert_message,
    ollama_error_message,
    ollama_to_openai,
    openai_to_ollama,
    response_format_to_ollama,
    usage_from_ollama,
)
from services.inference.params import apply_params
from tests.shapes import USAGE_KEYS

MODEL = "llama3.2:latest"
USER = {"role": "user", "content": "Why is the sky blue?"}

FINAL = {
    "model": MODEL,
    "created_at": "2026-10-01T00:00:00Z",
    "message": {"role": "assistant", "content": ""},
    "done": True,
    "done_reason": "stop",
    "total_duration": 3_723_500_000_000,
    "load_duration": 1_000_000,
    "prompt_eval_count": 5,
    "prompt_eval_duration": 250_000_000,
    "eval_count": 8,
    "eval_duration": 400_000_000,
}


def body(**extra: object) -> dict:
    return {"model": MODEL, "messages": [USER], **extra}


def line(content: str = "", done: bool = False, **message: object) -> dict:
    return {"model": MODEL, "message": {"role": "assistant", "content": content, **message}, "done": done}


# --- request: top level ------------------------------------------------------------------------


def test_minimal_body_key_order_and_stream_default() -> None:
    payload = openai_to_ollama(body(), {})
    assert payload == {"model": MODEL, "messages": [USER], "stream": False}
    assert list(payload) == ["model", "messages", "stream"]


def test_stream_true_is_kept() -> None:
    assert openai_to_ollama(body(stream=True), {})["stream"] is True


def test_model_messages_stream_come_first_then_the_rest() -> None:
    payload = openai_to_ollama(
        {
            "think": True,
            "temperature": 0.1,
            "tools": [],
            "stream": True,
            "messages": [USER],
            "keep_alive": "5m",
            "model": MODEL,
            "response_format": {"type": "json_object"},
        },
        {},
    )
    assert list(payload)[:3] == ["model", "messages", "stream"]
    assert list(payload) == [
        "model",
        "messages",
        "stream",
        "tools",
        "options",
        "format",
        "keep_alive",
        "think",
    ]


def test_unknown_and_open_webui_keys_are_not_forwarded() -> None:
    extras = {
        "user": "u",
        "n": 2,
        "logit_bias": {"1": 2},
        "stream_options": {"include_usage": True},
        "files": [{"type": "file", "id": "f"}],
        "metadata": {"chat_id": "c"},
        "chat_id": "c",
        "session_id": "s",
        "id": "m1",
        "filter_ids": [],
        "features": {"web_search": True},
        "variables": {},
        "tool_ids": ["t"],
        "model_item": {"direct": False},
        "system": "top-level system is not OpenAI",
    }
    assert openai_to_ollama(body(**extras), {}) == {"model": MODEL, "messages": [USER], "stream": False}


def test_tools_are_passed_through_unchanged() -> None:
    tools = [{"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}]
    assert openai_to_ollama(body(tools=tools), {})["tools"] is tools
    assert openai_to_ollama(body(tools=[]), {})["tools"] == []


def test_top_level_sampling_fields_go_into_options() -> None:
    payload = openai_to_ollama(
        body(
            temperature=0.1,
            top_p=0.9,
            seed=7,
            stop=["END"],
            max_tokens=5,
            presence_penalty=0.3,
            frequency_penalty=0.4,
            top_k=40,
            min_p=0.05,
            repeat_penalty=1.1,
            num_ctx=4096,
        ),
        {},
    )
    assert payload["options"] == {
        "temperature": 0.1,
        "top_p": 0.9,
        "seed": 7,
        "stop": ["END"],
        "presence_penalty": 0.3,
        "frequency_penalty": 0.4,
        "top_k": 40,
        "min_p": 0.05,
        "repeat_penalty": 1.1,
        "num_ctx": 4096,
        "num_predict": 5,
    }
    assert "max_tokens" not in payload
    assert "num_predict" not in payload


def test_observed_open_webui_drop_case_now_keeps_the_values() -> None:
    # Open WebUI sends only {num_predict: 5} for this body; we keep all three.
    payload = openai_to_ollama(body(temperature=0.1, max_tokens=5, seed=7), {})
    assert payload["options"] == {"temperature": 0.1, "seed": 7, "num_predict": 5}


def test_max_completion_tokens_maps_to_num_predict_and_wins_over_max_tokens() -> None:
    assert openai_to_ollama(body(max_completion_tokens=9), {})["options"] == {"num_predict": 9}
    assert openai_to_ollama(body(max_tokens=5, max_completion_tokens=9), {})["options"] == {"num_predict": 9}


def test_a_single_stop_string_becomes_a_list() -> None:
    assert openai_to_ollama(body(stop="END"), {})["options"] == {"stop": ["END"]}
    assert openai_to_ollama(body(), {"stop": "X"})["options"] == {"stop": ["X"]}
    assert openai_to_ollama(body(options={"stop": "Y"}), {})["options"] == {"stop": ["Y"]}


def test_null_top_level_fields_are_ignored() -> None:
    assert "options" not in openai_to_ollama(body(temperature=None, max_tokens=None, stop=None), {})


def test_input_body_and_sampling_are_not_mutated() -> None:
    original = body(
        options={"max_tokens": 3, "format": "json", "system": "S"},
        max_tokens=5,
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "a"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
            },
        ],
    )
    sampling = {"max_tokens": 4, "keep_alive": "300"}
    before, sampling_before = copy.deepcopy(original), copy.deepcopy(sampling)
    openai_to_ollama(original, sampling)
    assert original == before
    assert sampling == sampling_before


# --- request: precedence ------------------------------------------------------------------------


def test_precedence_top_level_then_params_then_options() -> None:
    payload = openai_to_ollama(
        body(temperature=0.1, top_p=0.1, seed=1, options={"temperature": 0.3}),
        {"temperature": 0.2, "top_p": 0.2},
    )
    assert payload["options"] == {"temperature": 0.3, "top_p": 0.2, "seed": 1}


def test_num_predict_precedence_across_sources() -> None:
    assert openai_to_ollama(body(max_tokens=5), {"max_tokens": 6})["options"] == {"num_predict": 6}
    assert openai_to_ollama(body(max_tokens=5), {"num_predict": 7})["options"] == {"num_predict": 7}
    payload = openai_to_ollama(body(max_tokens=5, options={"max_tokens": 8}), {"max_tokens": 6})
    assert payload["options"] == {"num_predict": 8}


def test_explicit_num_predict_wins_over_alias_in_the_same_source() -> None:
    payload = openai_to_ollama(body(options={"max_tokens": 8, "num_predict": 3}), {})
    assert payload["options"] == {"num_predict": 3}


def test_sampling_params_land_in_options() -> None:
    payload = openai_to_ollama(body(), {"temperature": 0.5, "num_ctx": 8192, "mirostat": 1, "max_tokens": 12})
    assert payload["options"] == {"temperature": 0.5, "num_ctx": 8192, "mirostat": 1, "num_predict": 12}


def test_sampling_root_keys_are_lifted_and_json_strings_parsed() -> None:
    payload = openai_to_ollama(
        body(), {"format": '{"type": "object"}', "keep_alive": "300", "think": True, "top_k": 5}
    )
    assert payload["format"] == {"type": "object"}
    assert payload["keep_alive"] == 300
    assert payload["think"] is True
    assert payload["options"] == {"top_k": 5}


def test_sampling_keys_ollama_cannot_use_are_dropped() -> None:
    payload = openai_to_ollama(body(), {"logit_bias": {"1": 1}, "n": 2, "logprobs": True, "seed": 3})
    assert payload["options"] == {"seed": 3}


def test_through_apply_params_end_to_end() -> None:
    request = body(
        temperature=0.1,
        max_tokens=5,
        stream=True,
        params={"system": "S", "temperature": 0.7, "stream_response": False, "function_calling": "native"},
    )
    new_body, sampling = apply_params(request)
    payload = openai_to_ollama(new_body, sampling)
    assert payload == {
        "model": MODEL,
        "messages": [{"role": "system", "content": "S"}, USER],
        "stream": False,
        "options": {"temperature": 0.7, "num_predict": 5},
    }


# --- request: options lifting -------------------------------------------------------------------


def test_options_root_keys_are_lifted() -> None:
    payload = openai_to_ollama(
        body(
            options={
                "format": "json",
                "keep_alive": "5m",
                "think": False,
                "system": "You are terse.",
                "max_tokens": 9,
                "num_ctx": 2048,
            }
        ),
        {},
    )
    assert payload["format"] == "json"
    assert payload["keep_alive"] == "5m"
    assert payload["think"] is False
    assert payload["system"] == "You are terse."
    assert payload["options"] == {"num_ctx": 2048, "num_predict": 9}


def test_options_with_only_root_keys_leaves_no_options() -> None:
    payload = openai_to_ollama(body(options={"keep_alive": 0}), {})
    assert payload["keep_alive"] == 0
    assert "options" not in payload


def test_empty_or_invalid_options_are_ignored() -> None:
    assert "options" not in openai_to_ollama(body(options={}), {})
    assert "options" not in openai_to_ollama(body(options="x"), {})


def test_top_level_keep_alive_and_think_are_kept() -> None:
    payload = openai_to_ollama(body(keep_alive="10m", think="high"), {})
    assert payload["keep_alive"] == "10m"
    assert payload["think"] == "high"


def test_root_key_precedence() -> None:
    payload = openai_to_ollama(
        body(keep_alive="1m", options={"keep_alive": "3m"}),
        {"keep_alive": "2m"},
    )
    assert payload["keep_alive"] == "3m"
    assert openai_to_ollama(body(keep_alive="1m"), {"keep_alive": "2m"})["keep_alive"] == "2m"


# --- request: response_format and reasoning_effort ----------------------------------------------


def test_response_format_json_schema_becomes_the_schema() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    rf = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    assert openai_to_ollama(body(response_format=rf), {})["format"] == schema


def test_response_format_json_object_and_text() -> None:
    assert openai_to_ollama(body(response_format={"type": "json_object"}), {})["format"] == "json"
    assert "format" not in openai_to_ollama(body(response_format={"type": "text"}), {})


def test_response_format_without_schema_or_malformed_gives_nothing() -> None:
    assert response_format_to_ollama({"type": "json_schema", "json_schema": {"name": "x"}}) is None
    assert response_format_to_ollama({"type": "json_schema"}) is None
    assert response_format_to_ollama("json") is None
    assert response_format_to_ollama(None) is None


def test_response_format_in_params_and_format_in_options_precedence() -> None:
    payload = openai_to_ollama(
        body(response_format={"type": "json_object"}),
        {"response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "array"}}}},
    )
    assert payload["format"] == {"type": "array"}
    payload = openai_to_ollama(body(response_format={"type": "json_object"}, options={"format": "x"}), {})
    assert payload["format"] == "x"


def test_reasoning_effort_turns_thinking_on_or_off() -> None:
    assert openai_to_ollama(body(reasoning_effort="high"), {})["think"] is True
    assert openai_to_ollama(body(reasoning_effort="low"), {})["think"] is True
    assert openai_to_ollama(body(reasoning_effort="none"), {})["think"] is False
    assert "think" not in openai_to_ollama(body(reasoning_effort=None), {})


def test_explicit_think_wins_over_reasoning_effort() -> None:
    assert openai_to_ollama(body(reasoning_effort="high", think=False), {})["think"] is False
    assert openai_to_ollama(body(), {"reasoning_effort": "high", "think": False})["think"] is False
    assert openai_to_ollama(body(), {"reasoning_effort": "none"})["think"] is False
    payload = openai_to_ollama(body(), {"reasoning_effort": "high"})
    assert "reasoning_effort" not in payload.get("options", {})


# --- request: messages --------------------------------------------------------------------------


def test_string_content_and_roles_are_kept() -> None:
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": "A"},
        {"role": "developer", "content": "D"},
    ]
    assert openai_to_ollama(body(messages=messages), {})["messages"] == messages


def test_none_content_becomes_empty_string() -> None:
    assert convert_message({"role": "assistant", "content": None}) == {"role": "assistant", "content": ""}
    assert convert_message({"role": "assistant"}) == {"role": "assistant", "content": ""}


def test_list_content_text_parts_are_joined_and_stripped() -> None:
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "  first"},
            {"type": "text", "text": "second  "},
            {"type": "unknown", "text": "ignored"},
        ],
    }
    assert convert_message(message) == {"role": "user", "content": "first\nsecond"}


def test_list_content_images_with_and_without_data_url_prefix() -> None:
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "image_url", "image_url": {"url": "iVBORbare"}},
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
            {"type": "image_url", "image_url": {"url": ""}},
        ],
    }
    assert convert_message(message) == {
        "role": "user",
        "content": "What is this?",
        "images": ["iVBORw0KGgo=", "iVBORbare", "/9j/4AAQ"],
    }


def test_image_url_given_as_a_plain_string() -> None:
    message = {"role": "user", "content": [{"type": "image_url", "image_url": "data:image/png;base64,QUJD"}]}
    assert convert_message(message) == {"role": "user", "content": "", "images": ["QUJD"]}


def test_ollama_native_images_are_kept() -> None:
    message = {"role": "user", "content": "x", "images": ["AAA"]}
    assert convert_message(message) == {"role": "user", "content": "x", "images": ["AAA"]}


def test_assistant_tool_calls_are_converted_with_parsed_arguments() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
            {"id": "call_2", "type": "function", "function": {"name": "now", "arguments": {"tz": "UTC"}}},
            {"index": 7, "function": {"name": "noargs", "arguments": ""}},
        ],
    }
    assert convert_message(message) == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"index": 0, "id": "call_1", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
            {"index": 1, "id": "call_2", "function": {"name": "now", "arguments": {"tz": "UTC"}}},
            {"index": 7, "function": {"name": "noargs", "arguments": {}}},
        ],
    }


def test_unparsable_or_non_object_tool_arguments_become_empty_objects() -> None:
    for arguments in ("{broken", "[1, 2]", None, 5):
        message = {
            "role": "assistant",
            "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": arguments}}],
        }
        assert convert_message(message)["tool_calls"][0]["function"]["arguments"] == {}


def test_assistant_content_is_kept_beside_tool_calls() -> None:
    message = {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
    }
    assert convert_message(message)["content"] == "Let me check."


def test_tool_result_message_keeps_tool_call_id_and_name() -> None:
    message = {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "18C"}
    assert convert_message(message) == {
        "role": "tool",
        "content": "18C",
        "tool_call_id": "call_1",
        "name": "get_weather",
    }


def test_reasoning_fields_become_thinking() -> None:
    assert convert_message({"role": "assistant", "content": "A", "reasoning_content": "R"})["thinking"] == "R"
    assert convert_message({"role": "assistant", "content": "A", "reasoning": "R2"})["thinking"] == "R2"
    assert convert_message({"role": "assistant", "content": "A", "thinking": "R3"})["thinking"] == "R3"
    assert "thinking" not in convert_message({"role": "assistant", "content": "A", "reasoning_content": ""})


def test_unknown_message_keys_are_dropped() -> None:
    assert convert_message({"role": "user", "content": "x", "metadata": {}, "id": "m"}) == {
        "role": "user",
        "content": "x",
    }


# --- reply: non-stream --------------------------------------------------------------------------


def test_non_stream_reply_shape_and_key_order() -> None:
    response = {**FINAL, "message": {"role": "assistant", "content": "FAKE t2 t8"}}
    reply = ollama_to_openai(response, MODEL, f"{MODEL}-abc", 1_700_000_000)
    assert list(reply) == ["id", "created", "model", "choices", "object", "usage"]
    assert reply["id"] == f"{MODEL}-abc"
    assert reply["created"] == 1_700_000_000
    assert reply["model"] == MODEL
    assert reply["object"] == "chat.completion"
    assert reply["choices"] == [
        {
            "index": 0,
            "logprobs": None,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "FAKE t2 t8"},
        }
    ]
    assert list(reply["choices"][0]) == ["index", "logprobs", "finish_reason", "message"]
    assert reply["usage"] == usage_from_ollama(response)


def test_non_stream_reply_with_thinking_and_tool_calls() -> None:
    response = {
        **FINAL,
        "message": {
            "role": "assistant",
            "content": "",
            "thinking": "The user wants weather.",
            "tool_calls": [
                {"id": "call_x", "function": {"name": "get_weather", "arguments": {"city": "Paris", "n": 1}}},
                {"function": {"index": 1, "name": "now", "arguments": {}}},
            ],
        },
    }
    reply = ollama_to_openai(response, MODEL, "id", 1)
    choice = reply["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert list(message) == ["role", "content", "reasoning_content", "tool_calls"]
    assert message["reasoning_content"] == "The user wants weather."
    first, second = message["tool_calls"]
    assert first == {
        "index": 0,
        "id": "call_x",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris", "n": 1}'},
    }
    assert list(first) == ["index", "id", "type", "function"]
    assert second["index"] == 1
    assert second["id"].startswith("call_")
    assert len(second["id"]) > len("call_")
    assert second["function"] == {"name": "now", "arguments": "{}"}


def test_non_stream_missing_message_gives_empty_content() -> None:
    reply = ollama_to_openai({"done": True}, MODEL, "id", 1)
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": ""}
    assert reply["choices"][0]["finish_reason"] == "stop"


def test_tool_call_round_trip_openai_to_ollama_and_back() -> None:
    openai_call = {
        "index": 0,
        "id": "call_abc",
        "type": "function",
        "function": {"name": "lookup", "arguments": json.dumps({"q": "x", "k": [1, 2]})},
    }
    ollama_message = convert_message({"role": "assistant", "content": None, "tool_calls": [openai_call]})
    back = ollama_to_openai({"message": ollama_message}, MODEL, "id", 1)
    assert back["choices"][0]["message"]["tool_calls"] == [openai_call]


def test_string_arguments_from_upstream_are_not_encoded_twice() -> None:
    response = {
        "message": {"content": "", "tool_calls": [{"function": {"name": "f", "arguments": '{"a":1}'}}]}
    }
    call = ollama_to_openai(response, MODEL, "id", 1)["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["arguments"] == '{"a":1}'


# --- usage --------------------------------------------------------------------------------------


def test_usage_key_order_and_values() -> None:
    usage = usage_from_ollama(FINAL)
    assert list(usage) == USAGE_KEYS
    assert usage == {
        "input_tokens": 5,
        "output_tokens": 8,
        "total_tokens": 13,
        "prompt_tokens": 5,
        "completion_tokens": 8,
        "response_token/s": 20.0,
        "prompt_token/s": 20.0,
        "total_duration": 3_723_500_000_000,
        "load_duration": 1_000_000,
        "prompt_eval_count": 5,
        "prompt_eval_duration": 250_000_000,
        "eval_count": 8,
        "eval_duration": 400_000_000,
        "approximate_total": "1h2m3s",
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def test_usage_rates_are_rounded_to_two_places() -> None:
    usage = usage_from_ollama({**FINAL, "eval_count": 10, "eval_duration": 3_000_000_000})
    assert usage["response_token/s"] == 3.33


def test_usage_rates_are_na_when_durations_are_zero_or_missing() -> None:
    usage = usage_from_ollama({"eval_count": 8, "eval_duration": 0, "prompt_eval_count": 5})
    assert usage["response_token/s"] == "N/A"
    assert usage["prompt_token/s"] == "N/A"


def test_usage_of_an_empty_object() -> None:
    usage = usage_from_ollama({})
    assert list(usage) == USAGE_KEYS
    assert usage["input_tokens"] == usage["output_tokens"] == usage["total_tokens"] == 0
    assert usage["total_duration"] == usage["eval_duration"] == 0
    assert usage["approximate_total"] == "0h0m0s"


def test_approximate_total_truncates_to_whole_seconds() -> None:
    assert usage_from_ollama({"total_duration": 999_999_999})["approximate_total"] == "0h0m0s"
    assert usage_from_ollama({"total_duration": 61_000_000_000})["approximate_total"] == "0h1m1s"


# --- reply: stream ------------------------------------------------------------------------------


def converter() -> OllamaStreamConverter:
    return OllamaStreamConverter(MODEL, "chatcmpl-123", 1_700_000_000)


def test_stream_chunk_shape_and_key_order() -> None:
    chunk = converter().convert(line("FAKE[x]"))
    assert list(chunk) == ["id", "created", "model", "choices", "object"]
    assert chunk == {
        "id": "chatcmpl-123",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": None,
                "delta": {"content": "FAKE[x]", "role": "assistant"},
            }
        ],
        "object": "chat.completion.chunk",
    }
    assert list(chunk["choices"][0]) == ["index", "logprobs", "finish_reason", "delta"]
    assert list(chunk["choices"][0]["delta"]) == ["content", "role"]


def test_role_only_on_the_first_chunk() -> None:
    conv = converter()
    conv.convert(line("a"))
    second = conv.convert(line("b"))
    assert second["choices"][0]["delta"] == {"content": "b"}


def test_final_done_chunk_has_usage_and_stop() -> None:
    conv = converter()
    conv.convert(line("a"))
    final = conv.convert(FINAL)
    assert list(final) == ["id", "created", "model", "choices", "object", "usage"]
    assert final["choices"][0]["delta"] == {}
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["usage"] == usage_from_ollama(FINAL)


def test_done_reason_is_the_final_finish_reason() -> None:
    conv = converter()
    conv.convert(line("a"))
    assert conv.convert({**FINAL, "done_reason": "length"})["choices"][0]["finish_reason"] == "length"
    final = converter().convert({**FINAL, "done_reason": None})
    assert final["choices"][0]["finish_reason"] == "stop"


def test_done_chunk_with_content_still_finishes() -> None:
    final = converter().convert({**FINAL, "message": {"role": "assistant", "content": "last"}})
    assert final["choices"][0]["delta"] == {"content": "last", "role": "assistant"}
    assert final["choices"][0]["finish_reason"] == "stop"


def test_empty_non_final_chunk_says_stop() -> None:
    conv = converter()
    first = conv.convert(line(""))
    assert first["choices"][0]["delta"] == {"role": "assistant"}
    assert first["choices"][0]["finish_reason"] == "stop"
    assert "usage" not in first
    assert conv.convert({"model": MODEL, "done": False})["choices"][0]["finish_reason"] == "stop"


def test_thinking_becomes_reasoning_content_with_null_finish() -> None:
    conv = converter()
    chunk = conv.convert(line("", thinking="hmm"))
    assert chunk["choices"][0]["delta"] == {"reasoning_content": "hmm", "role": "assistant"}
    assert chunk["choices"][0]["finish_reason"] is None
    both = conv.convert(line("x", thinking="y"))
    assert list(both["choices"][0]["delta"]) == ["content", "reasoning_content"]


def test_stream_tool_calls_and_final_finish_reason() -> None:
    conv = converter()
    first = conv.convert(
        line("", tool_calls=[{"id": "call_a", "function": {"name": "f", "arguments": {"x": 1}}}])
    )
    delta = first["choices"][0]["delta"]
    assert list(delta) == ["tool_calls", "role"]
    assert delta["tool_calls"] == [
        {"index": 0, "id": "call_a", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]
    assert first["choices"][0]["finish_reason"] is None
    second = conv.convert(line("", tool_calls=[{"function": {"name": "g", "arguments": {}}}]))
    call = second["choices"][0]["delta"]["tool_calls"][0]
    assert call["index"] == 1
    assert call["id"].startswith("call_")
    final = conv.convert(FINAL)
    assert final["choices"][0]["finish_reason"] == "tool_calls"


def test_several_tool_calls_in_one_line_get_consecutive_indexes() -> None:
    conv = converter()
    calls = [{"function": {"name": "a", "arguments": {}}}, {"function": {"name": "b", "arguments": {}}}]
    chunk = conv.convert(line("", tool_calls=calls))
    assert [c["index"] for c in chunk["choices"][0]["delta"]["tool_calls"]] == [0, 1]
    chunk = conv.convert(line("", tool_calls=calls[:1]))
    assert chunk["choices"][0]["delta"]["tool_calls"][0]["index"] == 2


def test_error_line_raises() -> None:
    conv = converter()
    conv.convert(line("a"))
    with pytest.raises(OllamaStreamError) as caught:
        conv.convert({"error": "model runner has unexpectedly stopped"})
    assert caught.value.message == "model runner has unexpectedly stopped"
    assert str(caught.value) == "model runner has unexpectedly stopped"


def test_error_line_with_an_object_error() -> None:
    with pytest.raises(OllamaStreamError) as caught:
        converter().convert({"error": {"code": 1}})
    assert caught.value.message == '{"code": 1}'


def test_a_whole_stream() -> None:
    conv = converter()
    lines = [line("Hel"), line("lo"), FINAL]
    chunks = [conv.convert(item) for item in lines]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, "stop"]
    assert {c["id"] for c in chunks} == {"chatcmpl-123"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Hello"
    assert ["usage" in c for c in chunks] == [False, False, True]


# --- errors -------------------------------------------------------------------------------------


def test_ollama_error_message() -> None:
    assert ollama_error_message(b'{"error":"model \\"x\\" not found, try pulling it first"}') == (
        'model "x" not found, try pulling it first'
    )
    assert ollama_error_message(b"404 page not found\n") == "404 page not found"
    assert ollama_error_message(b'{"detail": "nope"}') == '{"detail": "nope"}'
    assert ollama_error_message(b"") == ""
    assert ollama_error_message(b"\xff bad") == "\ufffd bad"


@pytest.mark.parametrize("messages", ["hello", [1, 2], {"role": "user"}, [{"role": "user"}, "x"]])
def test_messages_that_are_not_a_list_of_objects_are_refused(messages: object) -> None:
    # Found by tests/e2e/test_openapi_fuzz.py: these crashed the conversion (a 500).
    with pytest.raises(InvalidArgument):
        openai_to_ollama({"model": "m", "messages": messages}, {})


def test_odd_images_and_tool_calls_are_skipped_not_fatal() -> None:
    message = {"role": "assistant", "content": "x", "images": "abc", "tool_calls": ["x", {"function": 5}]}
    (converted,) = openai_to_ollama({"model": "m", "messages": [message]}, {})["messages"]
    assert "images" not in converted
    assert converted["tool_calls"] == [{"index": 1, "function": {"name": "", "arguments": {}}}]
