"""Hands memory freed after a large extraction back to the operating system."""

import ctypes
import ctypes.util
import gc


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """glibc keeps what a parse freed (a 20 MB DOCX: 300 MB) in its heaps, where the resident size
    stays until a later allocation reuses it; ``malloc_trim`` returns it (about a millisecond)."""
    if _TRIM is not None:
        # An extraction error's traceback keeps the parsed document alive in a reference cycle.
        gc.collect()
        _TRIM(0)


def trim_heap() -> None:
    """``malloc_trim`` alone, for memory freed by reference counting (an evicted FAISS copy), where
    a full ``gc.collect`` (about 20 ms on a large heap) would find nothing more."""
    if _TRIM is not None:
        _TRIM(0)
