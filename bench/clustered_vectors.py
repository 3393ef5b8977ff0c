"""Synthetic embeddings with cluster structure, for the vector index's benchmark and recall test."""

import numpy as np


def unit_rows(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def cluster_centres(rng: np.random.Generator, count: int = 200, dimension: int = 384) -> np.ndarray:
    """Random unit vectors: the topics."""
    return unit_rows(rng.standard_normal((count, dimension), dtype=np.float32))


def clustered_vectors(
    rng: np.random.Generator, centres: np.ndarray, count: int, sigma: float = 0.05
) -> np.ndarray:
    """Unit vectors, each a random centre plus N(0, sigma²) per coordinate, renormalized.

    Uniform random vectors in 384 dimensions are all about equally far apart, which no real
    embedding set is, and HNSW's recall collapses on them. With sigma 0.05 and 384 dimensions a
    point keeps a cosine of about 0.7 to its centre and its nearest neighbours have cosines of about
    0.55-0.6, the range of related sentences under all-MiniLM-L6-v2.
    """
    chosen = centres[rng.integers(0, len(centres), count)]
    noise = rng.standard_normal(chosen.shape, dtype=np.float32) * np.float32(sigma)
    return unit_rows(chosen + noise)
