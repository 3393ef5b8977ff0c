"""Names as they are stored: without control characters or bidirectional formatting marks."""

import re

# C0 and C1 controls and DEL: a CR/LF in a name would split any header or log line it is written into.
# Bidirectional marks, embeddings, overrides and isolates: they make `txt.exe` display as `exe.txt`.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(name: str) -> str:
    """``name`` without the characters above (every other character, and its order, is kept)."""
    return _UNSAFE.sub("", name)
