"""Chat bodies adapted to the OpenAI-compatible host they go to."""

from services.inference.openai_compat import adapt_for_host, is_reasoning_model

OPENAI = "https://api.openai.com/v1"
LOCAL = "http://127.0.0.1:8080/v1"
SYSTEM = {"role": "system", "content": "Be brief."}
USER = {"role": "user", "content": "hi"}


def test_reasoning_models_by_prefix() -> None:
    assert all(is_reasoning_model(m) for m in ("o1", "o3-mini", "O4-mini", "gpt-5", "gpt-5.1-codex"))
    assert not any(is_reasoning_model(m) for m in ("gpt-4o", "gpt-4.1", "llama3"))


def test_openai_reasoning_model_gets_completion_tokens_and_developer_role() -> None:
    body = {"model": "o3-mini", "max_tokens": 5, "messages": [SYSTEM, USER]}
    adapted = adapt_for_host(body, OPENAI)
    assert adapted["max_completion_tokens"] == 5 and "max_tokens" not in adapted
    assert adapted["messages"] == [{"role": "developer", "content": "Be brief."}, USER]
    assert body["messages"][0]["role"] == "system" and body["max_tokens"] == 5  # input untouched


def test_o1_mini_gets_a_user_message_instead() -> None:
    adapted = adapt_for_host({"model": "o1-mini", "messages": [SYSTEM, USER]}, OPENAI)
    assert adapted["messages"][0]["role"] == "user"


def test_other_openai_models_are_left_alone() -> None:
    body = {"model": "gpt-4o", "max_tokens": 5, "messages": [SYSTEM, USER]}
    assert adapt_for_host(body, OPENAI) == body


def test_other_hosts_get_max_tokens() -> None:
    body = {"model": "o3-mini", "max_completion_tokens": 9, "messages": [SYSTEM, USER]}
    adapted = adapt_for_host(body, LOCAL)
    assert adapted["max_tokens"] == 9 and "max_completion_tokens" not in adapted
    assert adapted["messages"][0]["role"] == "system"
