"""Open WebUI's `params` extension: system prompt, stream override, dropped keys and sampling params."""

import copy

from services.inference.params import (
    add_system_prompt,
    apply_params,
    deep_merge,
    merge_params_for_openai,
)


def chat(**extra: object) -> dict:
    return {"model": "llama3.2:latest", "messages": [{"role": "user", "content": "hi"}], **extra}


def test_no_params_leaves_the_body_and_gives_no_sampling() -> None:
    body = chat(stream=True)
    new_body, sampling = apply_params(body)
    assert new_body == body
    assert new_body is not body
    assert sampling == {}


def test_params_none_or_not_a_dict_is_removed() -> None:
    for params in (None, "x", []):
        new_body, sampling = apply_params(chat(params=params))
        assert "params" not in new_body
        assert sampling == {}


def test_params_key_is_removed_and_input_is_not_mutated() -> None:
    body = chat(
        params={"system": "Be brief.", "temperature": 0.2, "custom_params": {"a": "1"}},
        messages=[{"role": "system", "content": "Old."}, {"role": "user", "content": "hi"}],
    )
    before = copy.deepcopy(body)
    new_body, _ = apply_params(body)
    assert body == before
    assert "params" not in new_body


def test_system_is_prepended_to_a_leading_system_message() -> None:
    body = chat(
        messages=[{"role": "system", "content": "You are a cat."}, {"role": "user", "content": "hi"}],
        params={"system": "Be brief."},
    )
    new_body, sampling = apply_params(body)
    assert new_body["messages"] == [
        {"role": "system", "content": "Be brief.\nYou are a cat."},
        {"role": "user", "content": "hi"},
    ]
    assert sampling == {}


def test_system_becomes_a_new_first_message_when_there_is_none() -> None:
    new_body, _ = apply_params(chat(params={"system": "Be brief."}))
    assert new_body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]


def test_a_later_system_message_does_not_count_as_leading() -> None:
    messages = [{"role": "user", "content": "hi"}, {"role": "system", "content": "late"}]
    new_body, _ = apply_params(chat(messages=messages, params={"system": "S"}))
    assert new_body["messages"][0] == {"role": "system", "content": "S"}
    assert new_body["messages"][1:] == messages


def test_system_with_no_messages_creates_the_list() -> None:
    new_body, _ = apply_params({"model": "m", "params": {"system": "S"}})
    assert new_body["messages"] == [{"role": "system", "content": "S"}]


def test_empty_or_non_string_system_is_ignored() -> None:
    for system in ("", None, 3):
        new_body, sampling = apply_params(chat(params={"system": system}))
        assert new_body["messages"] == [{"role": "user", "content": "hi"}]
        assert sampling == {}


def test_system_prepended_to_every_text_part_of_list_content() -> None:
    messages = [
        {
            "role": "system",
            "content": [{"type": "text", "text": "A"}, {"type": "image_url", "image_url": {"url": "u"}}],
        }
    ]
    before = copy.deepcopy(messages)
    result = add_system_prompt("S", messages)
    assert result[0]["content"] == [
        {"type": "text", "text": "S\nA"},
        {"type": "image_url", "image_url": {"url": "u"}},
    ]
    assert messages == before


def test_system_replaces_an_empty_leading_system_message() -> None:
    assert add_system_prompt("S", [{"role": "system", "content": None}]) == [
        {"role": "system", "content": "S"}
    ]


def test_open_webui_only_keys_are_dropped() -> None:
    params = {
        "function_calling": "native",
        "stream_delta_chunk_size": 4,
        "reasoning_tags": ["<think>", "</think>"],
        "compact_token_threshold": 1000,
        "note_id": "n1",
        "tool_approval_mode": "auto",
        "temperature": 0.3,
    }
    new_body, sampling = apply_params(chat(params=params))
    assert sampling == {"temperature": 0.3}
    assert new_body == chat()


def test_stream_response_sets_stream() -> None:
    new_body, sampling = apply_params(chat(stream=True, params={"stream_response": False}))
    assert new_body["stream"] is False
    assert sampling == {}
    new_body, _ = apply_params(chat(params={"stream_response": True}))
    assert new_body["stream"] is True


def test_stream_response_that_is_not_a_bool_is_ignored() -> None:
    new_body, sampling = apply_params(chat(stream=True, params={"stream_response": "false"}))
    assert new_body["stream"] is True
    assert sampling == {}


def test_sampling_params_are_returned_not_applied() -> None:
    params = {"temperature": 0.1, "top_p": 0.9, "seed": 7, "max_tokens": 5, "stop": ["\n"], "num_ctx": 4096}
    new_body, sampling = apply_params(chat(params=params))
    assert sampling == params
    assert new_body == chat()


def test_none_sampling_values_are_dropped() -> None:
    _, sampling = apply_params(chat(params={"temperature": None, "top_k": 40}))
    assert sampling == {"top_k": 40}


def test_custom_params_are_parsed_and_merged() -> None:
    params = {
        "temperature": 0.5,
        "custom_params": {
            "temperature": "0.9",
            "mirostat": 1,
            "stop": '["END"]',
            "label": "not json",
        },
    }
    _, sampling = apply_params(chat(params=params))
    assert sampling == {"temperature": 0.9, "mirostat": 1, "stop": ["END"], "label": "not json"}


def test_custom_params_deep_merge_nested_dicts() -> None:
    params = {"extra": {"a": 1, "b": 2}, "custom_params": {"extra": '{"b": 3, "c": 4}'}}
    _, sampling = apply_params(chat(params=params))
    assert sampling == {"extra": {"a": 1, "b": 3, "c": 4}}


def test_custom_params_that_are_not_a_dict_are_ignored() -> None:
    _, sampling = apply_params(chat(params={"custom_params": "x", "seed": 1}))
    assert sampling == {"seed": 1}


def test_deep_merge_returns_new_dicts() -> None:
    base = {"a": {"x": 1}, "b": 1}
    merged = deep_merge(base, {"a": {"y": 2}, "b": {"z": 3}})
    assert merged == {"a": {"x": 1, "y": 2}, "b": {"z": 3}}
    assert base == {"a": {"x": 1}, "b": 1}


def test_merge_for_openai_copies_missing_keys_only() -> None:
    body = chat(temperature=0.1)
    merged = merge_params_for_openai(body, {"temperature": 0.9, "top_p": 0.5, "max_tokens": 10})
    assert merged["temperature"] == 0.1
    assert merged["top_p"] == 0.5
    assert merged["max_tokens"] == 10
    assert body == chat(temperature=0.1)


def test_merge_for_openai_keeps_body_key_order_and_appends() -> None:
    merged = merge_params_for_openai({"model": "m", "messages": []}, {"seed": 1})
    assert list(merged) == ["model", "messages", "seed"]


def test_merge_for_openai_does_not_override_a_null_key() -> None:
    # "already in the body" is about the key, as in Open WebUI 0.12, not its value.
    merged = merge_params_for_openai({"model": "m", "seed": None}, {"seed": 1})
    assert merged["seed"] is None
