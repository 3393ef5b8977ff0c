"""Reading a task's answer as Open WebUI does: the text between the first ``{`` and the last ``}``
as JSON, with its fallbacks when the model wrote something else."""

import json

from services.inference.rag.messages import message_text


def answer_text(reply: object) -> str:
    """The content of a chat completion's first choice ("" when there is none)."""
    if not isinstance(reply, dict):
        return ""
    choices = reply.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else ""


def answer_object(answer: str) -> dict | None:
    """The JSON object the answer holds, or None when it holds none (models often wrap the object
    in prose or code fences)."""
    start, end = answer.find("{"), answer.rfind("}")
    if start == -1 or end < start:
        return None
    try:
        parsed = json.loads(answer[start : end + 1])
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _strings(answer: str, key: str) -> list[str]:
    parsed = answer_object(answer) or {}
    values = parsed.get(key)
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def parse_title(answer: str, messages: object) -> str:
    """The answer's ``title``; when it has none, the first message's text."""
    parsed = answer_object(answer) or {}
    title = parsed.get("title")
    if isinstance(title, str) and title.strip():
        return title
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return message_text(messages[0])
    return ""


def parse_tags(answer: str) -> list[str]:
    return _strings(answer, "tags")


def parse_follow_ups(answer: str) -> list[str]:
    return _strings(answer, "follow_ups")
