"""Chunking as Open WebUI's default: markdown header sections, then recursive character chunks."""

import itertools
import random
import time

import pytest
from langchain_text_splitters import MarkdownHeaderTextSplitter

from services.ingest.chunking import HEADERS_TO_SPLIT_ON, split_pages
from services.ingest.extract import Page
from services.ingest.markdown_headers import LinearMarkdownHeaderTextSplitter

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda")


def prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def test_chunks_respect_size_overlap_and_start_index_without_headers() -> None:
    rng = random.Random(1)
    text = "\n\n".join(prose(rng, rng.randint(5, 60)) for _ in range(80))
    chunks = split_pages([Page(text, {})], chunk_size=200, chunk_overlap=50, markdown_headers=False)
    assert len(chunks) > 10
    for chunk in chunks:
        assert 0 < len(chunk.text) <= 200
        assert text[chunk.start_index : chunk.start_index + len(chunk.text)] == chunk.text
        assert chunk.metadata == {}
    # Overlap: chunks split inside a paragraph repeat the previous chunk's tail.
    overlapping = [
        (a, b) for a, b in itertools.pairwise(chunks) if b.start_index < a.start_index + len(a.text)
    ]
    assert overlapping
    for a, b in overlapping:
        shared = a.start_index + len(a.text) - b.start_index
        assert 0 < shared <= 50
        assert a.text[-shared:] == b.text[:shared]


def test_start_index_points_into_the_header_section() -> None:
    rng = random.Random(2)
    sections = [f"# Part {i}\n" + "\n".join(prose(rng, 30) for _ in range(6)) for i in range(4)]
    text = "\n".join(sections)
    chunks = split_pages([Page(text, {})], chunk_size=300, chunk_overlap=60, markdown_headers=True)
    by_header = {f"Part {i}": section for i, section in enumerate(sections)}
    assert {chunk.metadata["Header 1"] for chunk in chunks} == set(by_header)
    for chunk in chunks:
        assert len(chunk.text) <= 300
        section = by_header[chunk.metadata["Header 1"]]
        assert section[chunk.start_index : chunk.start_index + len(chunk.text)] == chunk.text


def test_markdown_headers_split_sections_and_give_metadata() -> None:
    text = "Preamble.\n\n# Alpha\nintro\n\n## Beta\nbody of beta\n\n# Gamma\nbody of gamma"
    pages = [Page(text, {"page": 3, "page_label": "4", "total_pages": 9})]
    chunks = split_pages(pages, chunk_size=1000, chunk_overlap=100, markdown_headers=True)
    page_meta = {"page": 3, "page_label": "4", "total_pages": 9}
    assert [(c.text, c.metadata) for c in chunks] == [
        ("Preamble.", page_meta),
        ("# Alpha\nintro", {**page_meta, "Header 1": "Alpha"}),
        ("## Beta\nbody of beta", {**page_meta, "Header 1": "Alpha", "Header 2": "Beta"}),
        ("# Gamma\nbody of gamma", {**page_meta, "Header 1": "Gamma"}),
    ]


def test_without_header_splitting_headers_are_plain_text() -> None:
    text = "# Alpha\nintro\n\n# Gamma\nbody"
    chunks = split_pages([Page(text, {"row": 1})], chunk_size=1000, chunk_overlap=100, markdown_headers=False)
    assert [(c.text, c.start_index, c.metadata) for c in chunks] == [(text, 0, {"row": 1})]


def test_page_metadata_is_carried_per_page() -> None:
    pages = [Page(f"Text of page {i}.", {"page": i, "total_pages": 2}) for i in range(2)]
    chunks = split_pages(pages, chunk_size=1000, chunk_overlap=100, markdown_headers=True)
    assert [(c.text, c.metadata) for c in chunks] == [
        ("Text of page 0.", {"page": 0, "total_pages": 2}),
        ("Text of page 1.", {"page": 1, "total_pages": 2}),
    ]
    pages[0].metadata["page"] = 99
    assert chunks[0].metadata["page"] == 0


def test_plain_text_through_the_header_splitter_is_reflowed_as_langchain_does() -> None:
    # langchain's header splitter strips every line, drops non-printable characters (tabs
    # too) and joins paragraphs with "  \n"; Open WebUI stores what it gives.
    text = "para one\n\n   indented\tline two\n\npara three"
    (chunk,) = split_pages([Page(text, {})], chunk_size=1000, chunk_overlap=100, markdown_headers=True)
    assert chunk.text == "para one  \nindentedline two  \npara three"


def test_blank_pages_and_whitespace_give_no_chunks() -> None:
    pages = [Page("", {"page": 0}), Page(" \n\n \n", {"page": 1}), Page("words", {"page": 2})]
    for headers in (True, False):
        chunks = split_pages(pages, chunk_size=100, chunk_overlap=10, markdown_headers=headers)
        assert [(c.text, c.metadata) for c in chunks] == [("words", {"page": 2})]


def test_overlap_larger_than_size_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        split_pages([Page("x", {})], chunk_size=10, chunk_overlap=20, markdown_headers=False)


def random_markdown(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(0, 60)):
        kind = rng.random()
        if kind < 0.15:
            lines.append(
                "#" * rng.randint(1, 7) + rng.choice([" ", "", "  "]) + prose(rng, rng.randint(0, 3))
            )
        elif kind < 0.3:
            lines.append("")
        elif kind < 0.35:
            lines.append(rng.choice(["```", "```python", "~~~", "``` inline ``` code"]))
        elif kind < 0.4:
            lines.append(rng.choice(["   ", "\t", "  # spaced", "\tx\ty", "#hashtag", "####### seven"]))
        else:
            lines.append(" " * rng.randint(0, 4) + prose(rng, rng.randint(1, 12)))
    return rng.choice(["\n", "\n\n"]).join(lines) if rng.random() < 0.2 else "\n".join(lines)


@pytest.mark.parametrize("strip_headers", [False, True])
def test_linear_header_splitter_matches_langchain(strip_headers: bool) -> None:
    rng = random.Random(3)
    ours = LinearMarkdownHeaderTextSplitter(
        headers_to_split_on=HEADERS_TO_SPLIT_ON, strip_headers=strip_headers
    )
    theirs = MarkdownHeaderTextSplitter(headers_to_split_on=HEADERS_TO_SPLIT_ON, strip_headers=strip_headers)
    for _ in range(500):
        text = random_markdown(rng)
        assert ours.split_text(text) == theirs.split_text(text), text


def test_two_megabytes_of_short_paragraphs_split_fast() -> None:
    # langchain's own aggregation took about 9 s on this text (quadratic in paragraphs).
    line = "the quick brown fox jumps over the lazy dog, lorem ipsum dolor sit amet elit"
    text = "\n\n".join([line] * (2_000_000 // (len(line) + 2)))
    started = time.perf_counter()
    chunks = split_pages([Page(text, {})], chunk_size=1000, chunk_overlap=100, markdown_headers=True)
    elapsed = time.perf_counter() - started
    assert len(chunks) > 1900
    assert elapsed < 3.0
