"""The folder-sync diff of a knowledge base: a client's manifest against what the base holds.

Pure functions over plain records, so that the rules are tested without a database.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DirectoryRecord:
    id: str
    knowledge_id: str
    parent_id: str | None
    name: str
    user_id: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One local file: its name, the folder it sits in ("" the root, "a/b" nested), the sha256 of
    its raw bytes and its size."""

    filename: str
    path: str
    checksum: str
    size: int


@dataclass(frozen=True, slots=True)
class HeldFile:
    """A file of the base as the diff sees it: linked (with its directory) or still pending."""

    file_id: str
    filename: str
    directory_id: str | None
    file_hash: str | None


@dataclass(slots=True)
class SyncDiff:
    added: list[tuple[str, str]] = field(default_factory=list)
    # (filename, path, stale file id)
    modified: list[tuple[str, str, str]] = field(default_factory=list)
    # (file id, filename)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    mkdir: list[str] = field(default_factory=list)
    rmdir: list[str] = field(default_factory=list)
    unmodified_count: int = 0
    directory_map: dict[str, str] = field(default_factory=dict)


def directory_paths(directories: Iterable[DirectoryRecord]) -> dict[str, str]:
    """Each directory's full path ("a/b/c") by id. A parent that is missing (or a loop, which the
    routes never make) ends the walk there, as Open WebUI's does."""
    by_id = {d.id: d for d in directories}
    paths: dict[str, str] = {}
    for directory in by_id.values():
        segments = [directory.name]
        seen = {directory.id}
        parent_id = directory.parent_id
        while parent_id and parent_id not in seen:
            parent = by_id.get(parent_id)
            if parent is None:
                break
            seen.add(parent_id)
            segments.append(parent.name)
            parent_id = parent.parent_id
        paths[directory.id] = "/".join(reversed(segments))
    return paths


def subtree_first(directories: Sequence[DirectoryRecord], root_id: str) -> list[str]:
    """The ids of ``root_id`` and every directory under it, deepest first (children before their
    parents)."""
    children: dict[str | None, list[str]] = {}
    for d in directories:
        children.setdefault(d.parent_id, []).append(d.id)
    order: list[str] = []
    stack = [root_id]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        stack.extend(children.get(current, []))
    return list(reversed(order))


def would_cycle(directories: Sequence[DirectoryRecord], moving_id: str, new_parent_id: str | None) -> bool:
    """Whether putting ``moving_id`` under ``new_parent_id`` makes a loop (itself or a descendant)."""
    by_id = {d.id: d for d in directories}
    current = new_parent_id
    seen: set[str] = set()
    while current and current not in seen:
        if current == moving_id:
            return True
        seen.add(current)
        parent = by_id.get(current)
        current = parent.parent_id if parent is not None else None
    return False


def compute_diff(
    manifest: Sequence[ManifestEntry],
    directories: Sequence[DirectoryRecord],
    linked: Sequence[HeldFile],
    pending: Sequence[HeldFile] = (),
) -> SyncDiff:
    """Open WebUI's ``sync/diff``: a manifest entry is added when no linked file has its
    (path, filename), modified when that file's ``file_hash`` differs, else unmodified; a linked
    file missing from the manifest is deleted. A file uploaded for the base and still pending
    (not yet linked) with the same (path, filename) and checksum counts as unmodified, so that a
    sync repeated while the last one is still processing uploads nothing twice.
    Directories the manifest needs and the base lacks are created (parents first); those the
    manifest no longer needs are removed."""
    paths = directory_paths(directories)
    by_path = {path: directory_id for directory_id, path in paths.items()}

    def key(held: HeldFile) -> tuple[str, str]:
        return (paths.get(held.directory_id, "") if held.directory_id else "", held.filename)

    indexed: dict[tuple[str, str], HeldFile] = {}
    for held in linked:
        indexed[key(held)] = held
    waiting: dict[tuple[str, str], set[str]] = {}
    for held in pending:
        if held.file_hash:
            waiting.setdefault(key(held), set()).add(held.file_hash)

    diff = SyncDiff(directory_map=by_path)
    seen: set[tuple[str, str]] = set()
    unmodified = 0
    for entry in manifest:
        path, filename, checksum = entry.path, entry.filename, entry.checksum
        entry_key = (path, filename)
        seen.add(entry_key)
        held = indexed.get(entry_key)
        if held is None:
            if waiting and checksum in waiting.get(entry_key, ()):
                unmodified += 1
            else:
                diff.added.append((filename, path))
        elif held.file_hash != checksum:
            diff.modified.append((filename, path, held.file_id))
        else:
            unmodified += 1
    diff.unmodified_count = unmodified
    for entry_key, held in indexed.items():
        if entry_key not in seen:
            diff.deleted.append((held.file_id, entry_key[1]))

    required: set[str] = set()
    for path, _ in seen:
        if path:
            segments = path.split("/")
            for depth in range(1, len(segments) + 1):
                required.add("/".join(segments[:depth]))
    diff.mkdir = sorted((p for p in required if p not in by_path), key=lambda p: (p.count("/"), p))
    # Parents first, as ``mkdir``: a client that removes them in reverse (as Open WebUI's cleanup
    # does) removes children before their parents.
    diff.rmdir = [by_path[p] for p in sorted(set(by_path) - required, key=lambda p: (p.count("/"), p))]
    return diff
