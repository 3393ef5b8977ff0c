"""Hands memory freed after a large extraction back to the operating system."""

import ctypes
import ctypes.util
import gc
import mmap
import os
from pathlib import Path


def _libc_function(name: str, argtypes: tuple | None = None):
    """The C library's function ``name``, or None where there is none (musl, macOS: nothing to call)."""
    library = ctypes.util.find_library("c")
    try:
        function = getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None
    if function is not None and argtypes is not None:
        function.argtypes = argtypes
    return function


_TRIM = _libc_function("malloc_trim")
_MADVISE = _libc_function("madvise", (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int))


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
            # address range, permissions, offset, device, inode, path
            mappings = [line.rstrip("\n").split(maxsplit=5) for line in maps]
    except OSError:
        return 0
    released = 0
    for fields in mappings:
        if len(fields) == 6 and fields[5] == target and "w" not in fields[1]:
            start, end = (int(bound, 16) for bound in fields[0].split("-"))
            if _MADVISE(start, end - start, mmap.MADV_DONTNEED) == 0:
                released += end - start
    return released
