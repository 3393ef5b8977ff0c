"""File search globs as SQL LIKE patterns, and the query bounds of the file search routes."""

import re

import pytest

from services.gateway.http_errors import ApiError
from services.gateway.routes.files_more import bounded_int, content_body_limit
from services.ingest.file_ops_repository import glob_to_like


def like_matches(pattern: str, value: str) -> bool:
    """PostgreSQL's ``value ILIKE pattern ESCAPE '\\'``, in Python."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.fullmatch("".join(out), value, re.IGNORECASE | re.DOTALL) is not None


@pytest.mark.parametrize(
    ("glob", "like"),
    [
        ("*", "%"),
        ("report?.txt", "report_.txt"),
        ("*.pdf", "%.pdf"),
        ("100%_done\\", "100\\%\\_done\\\\"),
        ("plain", "plain"),
    ],
)
def test_glob_translates_to_an_escaped_like(glob: str, like: str) -> None:
    assert glob_to_like(glob) == like


@pytest.mark.parametrize(
    ("glob", "name", "matches"),
    [
        ("*.TXT", "notes.txt", True),
        ("notes-?.md", "Notes-1.md", True),
        ("notes-?.md", "notes-12.md", False),
        ("notes", "notes.md", False),
        ("a%b", "a%b", True),
        ("a%b", "axxb", False),
        ("a_b", "axb", False),
        ("a\\b*", "a\\bc", True),
        ("*", "", True),
    ],
)
def test_like_matches_as_the_glob_means(glob: str, name: str, matches: bool) -> None:
    assert like_matches(glob_to_like(glob), name) is matches


class _Request:
    def __init__(self, **query: str) -> None:
        self.query = query


def test_search_bounds_are_refused_not_clamped() -> None:
    assert bounded_int(_Request(), "limit", 100, 1, 1000) == 100  # type: ignore[arg-type]
    assert bounded_int(_Request(limit="1000"), "limit", 100, 1, 1000) == 1000  # type: ignore[arg-type]
    for raw, kind in (("0", "greater_than_equal"), ("1001", "less_than_equal"), ("x", "int_parsing")):
        with pytest.raises(ApiError) as error:
            bounded_int(_Request(limit=raw), "limit", 100, 1, 1000)  # type: ignore[arg-type]
        assert error.value.status == 422 and error.value.detail[0]["type"] == kind  # type: ignore[index]


def test_content_body_stays_within_one_grpc_message() -> None:
    assert content_body_limit(1) < 2 * 1024 * 1024
    assert content_body_limit(100) < 32 * 1024 * 1024
