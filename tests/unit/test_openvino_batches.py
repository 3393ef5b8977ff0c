"""How documents are cut into OpenVINO batches: longest first, within the text and token budgets."""

import threading
import time
from pathlib import Path

import numpy
import pytest

from services.ingest.openvino_embedder import BATCH_TOKENS_STEP, OpenVinoEmbedder, padded


def batches(lengths: list[int], max_batch: int = 4, batch_tokens: int = 100) -> list[list[int]]:
    embedder = OpenVinoEmbedder(Path("unused.xml"), max_batch=max_batch, batch_tokens=batch_tokens)
    return list(embedder.batches(lengths))


def test_every_text_once_longest_first() -> None:
    lengths = [5, 40, 12, 33, 7, 21, 9, 30, 3]
    got = batches(lengths)
    flat = [index for batch in got for index in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)


@pytest.mark.parametrize("max_batch,batch_tokens", [(4, 100), (32, 64), (2, 1000), (1, 10)])
def test_padded_tokens_and_texts_stay_within_budget(max_batch: int, batch_tokens: int) -> None:
    lengths = [(i * 37) % 61 + 1 for i in range(200)]
    for batch in batches(lengths, max_batch, batch_tokens):
        assert 1 <= len(batch) <= max_batch
        # Inputs are padded to a multiple of the step, and the budget counts the padding.
        width = padded(max(lengths[i] for i in batch), BATCH_TOKENS_STEP)
        assert width % BATCH_TOKENS_STEP == 0
        assert len(batch) == 1 or len(batch) * width <= batch_tokens


def test_a_text_longer_than_the_budget_goes_alone() -> None:
    assert batches([256, 10, 10], batch_tokens=100) == [[0], [1, 2]]


def test_short_texts_fill_a_batch_to_max_batch() -> None:
    assert [len(b) for b in batches([2] * 10, max_batch=4, batch_tokens=1000)] == [4, 4, 2]


def test_padding_counts_against_the_budget() -> None:
    # Five 2-token texts pad to 32 tokens each: three fit in 100 tokens, not five.
    assert [len(b) for b in batches([2] * 5, max_batch=8, batch_tokens=100)] == [3, 2]


class _Encoding:
    def __init__(self, text: str) -> None:
        self.ids = [101] + [7] * len(text.split()) + [102]


class _Tokenizer:
    def encode_batch(self, texts: list[str]) -> list[_Encoding]:
        return [_Encoding(text) for text in texts]


class _Model:
    """Records when each inference starts and ends; a question (one row) is slow."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def create_infer_request(self) -> "_Model":
        return self

    def infer(self, inputs: dict[str, numpy.ndarray]) -> list[numpy.ndarray]:
        rows = inputs["input_ids"].shape[0]
        kind = "question" if rows == 1 else "batch"
        with self.lock:
            self.events.append(("start", kind))
        time.sleep(0.2 if kind == "question" else 0.02)
        with self.lock:
            self.events.append(("end", kind))
        return [numpy.ones((rows, 384), dtype=numpy.float32)]


def test_a_question_runs_before_the_next_batch_of_a_document() -> None:
    embedder = OpenVinoEmbedder(Path("unused.xml"), max_batch=2, batch_tokens=10_000)
    model = _Model()
    embedder._compiled, embedder._tokenizer = model, _Tokenizer()
    document = threading.Thread(target=embedder.embed, args=([f"chunk {i}" for i in range(40)],))
    document.start()
    while not model.events:
        time.sleep(0.001)
    assert embedder.embed_queries(["a question"]).shape == (1, 384)
    document.join(timeout=10)
    events = model.events
    asked = events.index(("start", "question"))
    answered = events.index(("end", "question"))
    # Without the priority about ten batches would start during the question; with it, none, or one
    # that had passed its wait just before the question was counted.
    assert events[asked + 1 : answered].count(("start", "batch")) <= 1
    assert events.count(("start", "batch")) == 20
