"""Pure pieces of retrieval processing: page text, collection names, image sniffing, settings."""

import hashlib

import pytest

from services.ingest.retrieval_core import _is_youtube, _looks_like_image, html_text, url_collection
from services.ingest.web_fetch import FetchPolicy
from services.ingest.web_settings import WebFetchSettings
from tests.fakes.web_server import PAGE_HTML, PAGE_TEXT, PNG_BYTES


def test_html_text_keeps_visible_text_only() -> None:
    text = html_text(PAGE_HTML.encode(), "utf-8")
    assert text.splitlines() == ["Zebrafish", "Fish facts", PAGE_TEXT]
    assert "script text" not in text and "color:red" not in text


def test_html_text_decodes_declared_charset() -> None:
    assert html_text("<p>café</p>".encode("latin-1"), "latin-1") == "café"


def test_url_collection_is_63_hex_digits_of_sha256() -> None:
    url = "https://example.com/a"
    assert url_collection(url) == hashlib.sha256(url.encode()).hexdigest()[:63]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=x", True),
        ("https://youtu.be/x", True),
        ("https://notyoutube.com/", False),
        ("http://[::1", False),
    ],
)
def test_youtube_urls(url: str, expected: bool) -> None:
    assert _is_youtube(url) is expected


def test_image_sniffing() -> None:
    assert _looks_like_image(PNG_BYTES)
    assert _looks_like_image(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert not _looks_like_image(b"%PDF-1.4")


def test_settings_lists_and_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_FETCH_FILTER_LIST", "example.com, !bad.example.com,!10.0.0.0/8")
    monkeypatch.setenv("WEB_FETCH_LOCAL_ALLOW_LIST", "127.0.0.2,10.2.0.0/16")
    monkeypatch.setenv("ENABLE_RAG_LOCAL_WEB_FETCH", "true")
    settings = WebFetchSettings()
    assert settings.allow_local
    policy = FetchPolicy.from_settings(settings)
    assert policy.allow_hosts == ("example.com",)
    assert "bad.example.com" in policy.block_hosts
    assert len(policy.local_allowed) == 2


def test_settings_refuse_a_bad_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_FETCH_LOCAL_ALLOW_LIST", "not-an-address")
    with pytest.raises(ValueError):
        WebFetchSettings()
