"""Open WebUI's chat search text: filters (``tag:``, ``folder:``, ``pinned:``, ``archived:``,
``shared:``) taken out, the rest the phrase and its words; and the snippet shown for a hit."""

import re
from dataclasses import dataclass, field

SNIPPET_CHARS = 200
_FILTER = re.compile(r"(?i)\b(tag|folder|pinned|archived|shared):(\S+)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchQuery:
    phrase: str
    words: list[str]
    tags: list[str] = field(default_factory=list)
    folder: str | None = None
    pinned: bool | None = None
    archived: bool = False
    shared: bool | None = None


def _flag(value: str) -> bool | None:
    lowered = value.lower()
    return True if lowered == "true" else False if lowered == "false" else None


def tag_id(name: str) -> str:
    """A tag's id: its name lower-cased, spaces as ``_`` (Open WebUI's rule)."""
    return name.replace(" ", "_").lower()


def parse(text: str) -> SearchQuery:
    tags: list[str] = []
    values: dict[str, str] = {}
    for match in _FILTER.finditer(text):
        key, value = match.group(1).lower(), match.group(2)
        if key == "tag":
            tags.append(tag_id(value))
        else:
            values[key] = value
    phrase = " ".join(_FILTER.sub(" ", text).split())
    archived = _flag(values.get("archived", "")) is True
    return SearchQuery(
        phrase=phrase,
        words=[word.lower() for word in _WORD.findall(phrase)],
        tags=tags,
        folder=values.get("folder"),
        pinned=_flag(values["pinned"]) if "pinned" in values else None,
        archived=archived,
        shared=_flag(values["shared"]) if "shared" in values else None,
    )


def snippet(text: str, terms: list[str]) -> str | None:
    """At most SNIPPET_CHARS of ``text`` around the first of ``terms`` found (case-insensitive),
    ``…`` where it was cut; None when none is found."""
    lowered = text.lower()
    hits = [(lowered.find(term.lower()), term) for term in terms if term]
    hits = [(at, term) for at, term in hits if at >= 0]
    if not hits:
        return None
    at, term = min(hits)
    start = max(0, at - (SNIPPET_CHARS - len(term)) // 2)
    end = min(len(text), start + SNIPPET_CHARS)
    start = max(0, end - SNIPPET_CHARS)
    cut = text[start:end].strip()
    return ("…" if start > 0 else "") + cut + ("…" if end < len(text) else "")
