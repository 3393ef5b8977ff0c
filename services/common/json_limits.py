"""A bound on how many values a JSON text holds, found from its bytes before it is parsed."""

import re

# A JSON string (escapes included; `(?s)` keeps a backslash before any byte inside it), or a byte
# that can start a value outside one.
_TOKEN = re.compile(rb'(?s)"[^"\\]*(?:\\.[^"\\]*)*"|[,\[{]')
_QUOTE = ord('"')


def _crude_bound(text: bytes) -> int:
    # Every value is the first in its array or object, or follows a comma: so there are at most as
    # many as commas and opening brackets, plus the root (more when strings hold such bytes).
    return text.count(b",") + text.count(b"[") + text.count(b"{") + 1


def too_many_values(raw: bytes, limit: int) -> bool:
    """Whether the JSON text ``raw`` holds more than ``limit`` values, by a count that is never short:
    one for the root, and one for each comma and opening bracket outside strings.

    Parsing is what costs memory (up to about 125 bytes a value, from as few as 3 bytes of text), so
    this is decided from the bytes alone, without copying them. Only a text over the limit by the
    crude count is counted again, skipping strings and stopping once over the limit.
    """
    if _crude_bound(raw) <= limit:
        return False
    count = 1
    for match in _TOKEN.finditer(raw):
        if raw[match.start()] != _QUOTE:
            count += 1
            if count > limit:
                return True
    return count > limit
