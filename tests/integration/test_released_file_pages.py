"""``release_file_pages``: a read-only mapping of a file loses its resident pages and reads the same
afterwards; a writable mapping of the same file is left alone."""

import mmap
import re
from pathlib import Path

import pytest

from services.ingest.freed_memory import release_file_pages

PAGE = mmap.PAGESIZE
SIZE = 256 * PAGE


def resident_kb(start: int) -> int:
    """Rss of the mapping that begins at ``start``, from /proc/self/smaps."""
    mine = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            bounds = re.match(r"([0-9a-f]+)-[0-9a-f]+ ", line)
            if bounds:
                mine = int(bounds.group(1), 16) == start
            elif mine and line.startswith("Rss:"):
                return int(line.split()[1])
    raise AssertionError("mapping not found")


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    path = tmp_path / "weights.bin"
    path.write_bytes(bytes(range(256)) * (SIZE // 256))
    return path


def touched_mapping(path: Path, access: int) -> tuple[mmap.mmap, int]:
    with open(path, "r+b" if access == mmap.ACCESS_WRITE else "rb") as file:
        view = mmap.mmap(file.fileno(), 0, access=access)
    total = sum(view[offset + 1] for offset in range(0, SIZE, PAGE))
    assert total > 0
    return view, start_of(path, access)


def start_of(path: Path, access: int) -> int:
    wanted = "rw" if access == mmap.ACCESS_WRITE else "r-"
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].strip() == str(path.resolve()) and fields[1].startswith(wanted):
                return int(fields[0].split("-")[0], 16)
    raise AssertionError("mapping not found")


def test_a_read_only_mapping_loses_its_resident_pages_and_reads_the_same(weights: Path) -> None:
    view, start = touched_mapping(weights, mmap.ACCESS_READ)
    try:
        before = bytes(view)
        assert resident_kb(start) >= SIZE // 1024
        assert release_file_pages(weights) == SIZE
        assert resident_kb(start) == 0
        assert bytes(view) == before
    finally:
        view.close()


def test_a_writable_mapping_is_left_alone(weights: Path) -> None:
    view, start = touched_mapping(weights, mmap.ACCESS_WRITE)
    try:
        view[0:4] = b"edit"
        assert release_file_pages(weights) == 0
        assert resident_kb(start) >= SIZE // 1024
        assert view[0:4] == b"edit"
    finally:
        view.close()


def test_a_file_nobody_maps_releases_nothing(weights: Path) -> None:
    assert release_file_pages(weights) == 0
