"""Open WebUI's task template variables: chat history (``{{MESSAGES:END:n}}`` …), the prompt
(``{{prompt:start:n}}`` …), date and time, and what is known of the user."""

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from services.inference.rag.messages import last_user_text, message_text

_MESSAGES = re.compile(
    r"{{MESSAGES}}|{{MESSAGES:START:(\d+)}}|{{MESSAGES:END:(\d+)}}|{{MESSAGES:MIDDLETRUNCATE:(\d+)}}"
)
# Case-insensitive, as Open WebUI's: the autocomplete template spells it ``{{PROMPT}}``.
_PROMPT = re.compile(
    r"{{prompt}}|{{prompt:start:(\d+)}}|{{prompt:end:(\d+)}}|{{prompt:middletruncate:(\d+)}}",
    re.IGNORECASE,
)
UNKNOWN = "Unknown"


@dataclass(frozen=True)
class TaskUser:
    """What the templates may say about the caller. Only name and email are known to this service
    (no profile fields): the others render as Open WebUI renders a missing value."""

    name: str = ""
    email: str = ""


def history(messages: Sequence[object]) -> str:
    """``ROLE: text`` lines, one per message."""
    return "\n".join(
        f"{str(m.get('role', '')).upper()}: {message_text(m)}" for m in messages if isinstance(m, dict)
    )


def _messages_match(match: re.Match, messages: list) -> str:
    start, end, middle = match.group(1), match.group(2), match.group(3)
    if start is not None:
        return history(messages[: int(start)])
    if end is not None:
        return history(messages[-int(end) :])
    if middle is not None:
        size = int(middle)
        if len(messages) <= size:
            return history(messages)
        half = size // 2
        tail = messages[-half:] if size % 2 == 0 else messages[-(half + 1) :]
        return f"{history(messages[:half])}\n{history(tail)}"
    return history(messages)


def replace_messages(template: str, messages: object) -> str:
    items = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    return _MESSAGES.sub(lambda match: _messages_match(match, items), template)


def _prompt_match(match: re.Match, prompt: str) -> str:
    start, end, middle = match.group(1), match.group(2), match.group(3)
    if start is not None:
        return prompt[: int(start)]
    if end is not None:
        return prompt[-int(end) :]
    if middle is not None:
        size = int(middle)
        if len(prompt) <= size:
            return prompt
        return f"{prompt[: math.ceil(size / 2)]}...{prompt[-math.floor(size / 2) :]}"
    return prompt


def replace_prompt(template: str, prompt: str) -> str:
    return _PROMPT.sub(lambda match: _prompt_match(match, prompt), template)


def replace_common(template: str, user: TaskUser | None, now: float | None = None) -> str:
    """Date and time (this process's local time) and the user variables."""
    local = time.localtime(now)
    date = time.strftime("%Y-%m-%d", local)
    clock = time.strftime("%I:%M:%S %p", local)
    values = {
        "{{CURRENT_DATE}}": date,
        "{{CURRENT_TIME}}": clock,
        "{{CURRENT_DATETIME}}": f"{date} {clock}",
        "{{CURRENT_WEEKDAY}}": time.strftime("%A", local),
        "{{USER_NAME}}": (user.name if user else "") or UNKNOWN,
        "{{USER_EMAIL}}": (user.email if user else "") or UNKNOWN,
        "{{USER_BIO}}": "",
        "{{USER_GENDER}}": UNKNOWN,
        "{{USER_BIRTH_DATE}}": UNKNOWN,
        "{{USER_AGE}}": UNKNOWN,
        "{{USER_LOCATION}}": UNKNOWN,
        "{{USER_GROUPS}}": "",
    }
    for name, value in values.items():
        template = template.replace(name, value)
    return template


def render_chat_task(template: str, messages: object, user: TaskUser | None, now: float | None = None) -> str:
    """Title, tags, follow-ups, queries and image prompts: the last user message as the prompt,
    the history, then date, time and user."""
    text = replace_prompt(template, last_user_text(messages))
    return replace_common(replace_messages(text, messages), user, now)


def render_autocomplete(
    template: str, prompt: str, kind: str, messages: object, user: TaskUser | None, now: float | None = None
) -> str:
    text = replace_prompt(template.replace("{{TYPE}}", kind), prompt)
    return replace_common(replace_messages(text, messages), user, now)


def render_emoji(template: str, prompt: str, user: TaskUser | None, now: float | None = None) -> str:
    return replace_common(replace_prompt(template, prompt), user, now)


def render_moa(template: str, prompt: str, responses: Sequence[str], now: float | None = None) -> str:
    """Each response in triple quotes, separated by a blank line, as Open WebUI quotes them."""
    quoted = "\n\n".join(f'"""{response}"""' for response in responses)
    return replace_common(replace_prompt(template, prompt).replace("{{responses}}", quoted), None, now)
