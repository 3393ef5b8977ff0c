"""Hands memory freed after a large extraction back to the operating system."""

import ctypes
import ctypes.util
import gc
import mmap
import os
from pathlib import Path


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


def _madvise():
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name, use_errno=True).madvise if name else None
    except (OSError, AttributeError):
        return None
    if function is not None:
        function.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    return function


_TRIM = _malloc_trim()
_MADVISE = _madvise()


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


def release_file_pages(path: Path) -> int:
    """Unmaps the resident pages of this process's read-only mappings of ``path`` (``MADV_DONTNEED``)
    and returns how many bytes the mappings span. The pages stay in the page cache and fault back in
    on the next read, so nothing is lost; until then they no longer count in the process's memory.

    For a model's weights file that the runtime maps and reads once to build its own packed copies:
    what it still reads afterwards (an embedding table's rows) comes back a page at a time. Writable
    mappings are never touched: dropping their pages could lose data."""
    if _MADVISE is None or not hasattr(mmap, "MADV_DONTNEED"):
        return 0
    target = os.path.realpath(path)
    try:
        with open("/proc/self/maps") as maps:
            lines = [line for line in maps if line.rstrip("\n").endswith(target)]
    except OSError:
        return 0
    released = 0
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or fields[5].rstrip("\n") != target or "w" in fields[1]:
            continue
        start, end = (int(bound, 16) for bound in fields[0].split("-"))
        if _MADVISE(start, end - start, mmap.MADV_DONTNEED) == 0:
            released += end - start
    return released
