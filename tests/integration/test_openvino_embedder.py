"""OpenVINO against torch: the install-time export of the packaged model must give today's vectors
(cosine ≥ 0.999 to torch's, the stored vectors included) and the same nearest neighbours, one text
at a time and in the token-bounded batches documents are embedded in."""

import random
import re
from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest

from services.ingest.embedder import DIMENSION, Embedder
from services.ingest.openvino_embedder import (
    OpenVinoEmbedder,
    default_model_path,
    runtime_available,
    weights_path,
)

pytestmark = pytest.mark.slow

_VOCABULARY = (
    "river mill barley spring autumn anchor code otter sleeping market fell sharply contract invoice "
    "database replica index vector search question answer kernel thread memory latency budget the a of "
    "and to in is was for on with as by at from résumé naïve café Zürich 東京 données 42 3.14 2026-12-03"
)
WORDS = _VOCABULARY.split()


def varied_texts() -> list[str]:
    """120 texts: sentences of 1 to 40 words, questions, newlines, punctuation, numbers, code, other
    scripts, empty and blank strings, and a few longer than the model's 256 tokens (truncated)."""
    rng = random.Random(20)
    texts = [
        "",
        " ",
        "a",
        "?",
        "What is the secret anchor code?",
        "otters\nsleeping in the river",
        "def f(x):\n    return x ** 2  # square",
        "SELECT id FROM ingest_file WHERE user_id = $1 LIMIT 10;",
        "¿Dónde está la biblioteca? Ça va très bien, merci.",
        "Как дела? 你好，世界。 こんにちは",
        "🙂 emoji 🚀 rocket",
        "UPPER CASE LETTERS AND lower case letters",
        "tab\tseparated\tvalues",
    ]
    texts += [" ".join(rng.choice(WORDS) for _ in range(400)), "word " * 300]
    while len(texts) < 120:
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 40))]
        text = " ".join(words)
        if rng.random() < 0.3:
            text = text[0].upper() + text[1:] + "?"
        if rng.random() < 0.1:
            text = text.replace(" ", "\n", 2)
        texts.append(text)
    return texts


@pytest.fixture(scope="module")
def model_path() -> Path:
    path = default_model_path()
    if not runtime_available(path):
        pytest.skip(f"no OpenVINO export at {path} (make exports it)")
    return path


@pytest.fixture(scope="module")
def torch_embedder() -> Iterator[Embedder]:
    loaded = Embedder(batch_size=32, runtime="torch")
    loaded.load()
    yield loaded


@pytest.fixture(scope="module")
def openvino_embedder(model_path: Path) -> Iterator[OpenVinoEmbedder]:
    # A small token budget: the varied texts go through many batches of different widths.
    loaded = OpenVinoEmbedder(model_path, max_batch=16, batch_tokens=512)
    loaded.load()
    yield loaded


@pytest.fixture(scope="module")
def vectors(torch_embedder: Embedder, openvino_embedder: OpenVinoEmbedder) -> dict[str, numpy.ndarray]:
    """Every text embedded once each way (the model's time dominates these tests)."""
    texts = varied_texts()
    return {
        "exact": Embedder(batch_size=32, precision="float32", runtime="torch").embed(texts),
        "stored": torch_embedder.embed(texts),
        "queries": numpy.concatenate([torch_embedder.embed_queries([text]) for text in texts]),
        "single": numpy.concatenate([openvino_embedder.embed_queries([text]) for text in texts]),
        "batched": openvino_embedder.embed(texts),
        "padded": numpy.concatenate(
            [openvino_embedder.embed_queries(texts[i : i + 16]) for i in range(0, len(texts), 16)]
        ),
    }


def test_vectors_match_torch_one_text_at_a_time_and_in_batches(vectors: dict[str, numpy.ndarray]) -> None:
    for got in (vectors["single"], vectors["batched"], vectors["padded"]):
        assert got.shape == (len(varied_texts()), DIMENSION) and got.dtype == numpy.float32
        assert got.flags["C_CONTIGUOUS"]
        numpy.testing.assert_allclose(numpy.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        for today in (vectors["exact"], vectors["stored"], vectors["queries"]):
            assert (got * today).sum(axis=1).min() >= 0.999


def test_nearest_neighbours_match_torch(vectors: dict[str, numpy.ndarray]) -> None:
    """recall@5 of the OpenVINO query vectors against torch's, over passages embedded both ways."""
    half = len(vectors["exact"]) // 2
    expected = numpy.argsort(-(vectors["queries"][:half] @ vectors["stored"][half:].T), axis=1)[:, :5]
    got = numpy.argsort(-(vectors["single"][:half] @ vectors["batched"][half:].T), axis=1)[:, :5]
    recall = numpy.mean([len(set(e) & set(g)) / 5 for e, g in zip(expected, got, strict=True)])
    assert recall >= 0.98


def weights_resident_kb(model_path: Path) -> int:
    """Resident kB of this process's mappings of the model's weights file."""
    target, mine, total = str(weights_path(model_path).resolve()), False, 0
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
                mine = line.rstrip("\n").endswith(target)
            elif mine and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


def test_a_document_leaves_no_weight_pages_mapped_and_the_same_vectors(
    model_path: Path, openvino_embedder: OpenVinoEmbedder, vectors: dict[str, numpy.ndarray]
) -> None:
    """After each document the weights file's pages are dropped from the process (they fault back in
    from the page cache); the next inferences read what they read before."""
    texts = varied_texts()
    again = openvino_embedder.embed(texts)
    assert weights_resident_kb(model_path) == 0
    numpy.testing.assert_allclose(again, vectors["batched"], atol=1e-6)
    numpy.testing.assert_allclose(
        openvino_embedder.embed_queries(texts[:1]), vectors["single"][:1], atol=1e-6
    )
    assert weights_resident_kb(model_path) > 0  # the question read some rows back in


def test_tokens_are_those_of_sentence_transformers(
    torch_embedder: Embedder, openvino_embedder: OpenVinoEmbedder
) -> None:
    for text in varied_texts()[:60]:
        expected = torch_embedder._model.preprocess([text])["input_ids"][0].tolist()
        assert openvino_embedder._tokenizer.encode(text.replace("\n", " ")).ids == expected


def test_embedder_uses_openvino_and_never_torch(model_path: Path) -> None:
    embedder = Embedder(batch_size=8, model_path=model_path, query_cache_size=4)
    assert embedder.runtime == "openvino" and not embedder.loaded
    vectors = embedder.embed_queries(["first question", "second question"])
    assert vectors.shape == (2, DIMENSION)
    assert embedder.embed(["a passage", "another passage about otters"]).shape == (2, DIMENSION)
    assert embedder.loaded and embedder._model is None  # torch's model never loaded
    assert embedder.precision in ("bfloat16", "float32")
    again = embedder.embed_queries(["second question", "third question"])
    numpy.testing.assert_array_equal(again[0], vectors[1])
    assert embedder.embed_queries([]).shape == (0, DIMENSION)
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_falls_back_to_torch_without_the_export(tmp_path: Path, torch_embedder: Embedder) -> None:
    embedder = Embedder(batch_size=8, model_path=tmp_path / "missing.xml")
    assert embedder.runtime == "torch"
    vectors = embedder.embed_queries(["a question about otters"])
    assert embedder.loaded
    expected = torch_embedder.embed_queries(["a question about otters"])
    numpy.testing.assert_allclose(vectors, expected, atol=1e-5)
    with pytest.raises(ValueError):
        Embedder(batch_size=8, runtime="onnx")


def test_a_broken_export_falls_back_to_torch(tmp_path: Path, torch_embedder: Embedder) -> None:
    broken = tmp_path / "model.xml"
    broken.write_bytes(b"not a model")
    broken.with_suffix(".bin").write_bytes(b"")
    embedder = Embedder(batch_size=8, model_path=broken)
    assert embedder.runtime == "openvino"
    vectors = embedder.embed_queries(["a question about otters"])
    assert embedder.runtime == "torch"
    expected = torch_embedder.embed_queries(["a question about otters"])
    numpy.testing.assert_allclose(vectors, expected, atol=1e-5)
    with pytest.raises(Exception):  # noqa: B017 - whatever openvino raises for a bad file
        Embedder(batch_size=8, model_path=broken, runtime="openvino").embed_queries(["q"])
