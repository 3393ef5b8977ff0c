"""Rules of a user's folder tree that need no storage: names, cycles, subtrees."""

from collections.abc import Mapping

# Parents by folder id (None: the root).
Parents = Mapping[str, str | None]


def name_key(name: str) -> str:
    """What two names must differ in to live under one parent: Open WebUI compares them with
    ILIKE, so case does not count (the migration's unique index uses the same ``lower``)."""
    return name.lower()


def is_within(folder_id: str | None, ancestor_id: str, parents: Parents) -> bool:
    """Whether ``folder_id`` is ``ancestor_id`` or lies below it. Stops on a loop already stored, so
    a damaged tree cannot hang the check."""
    seen: set[str] = set()
    while folder_id is not None and folder_id not in seen:
        if folder_id == ancestor_id:
            return True
        seen.add(folder_id)
        folder_id = parents.get(folder_id)
    return False


def shown_parent(folder_id: str, parents: Parents) -> str | None:
    """The parent a list shows: the root where the stored parent is gone or the folder sits on a
    cycle (Open WebUI's ``GET /`` resets those to the root)."""
    parent = parents.get(folder_id)
    if parent is None or parent not in parents or is_within(parent, folder_id, parents):
        return None
    return parent


def subtree(folder_id: str, parents: Parents) -> list[str]:
    """``folder_id`` and every folder below it."""
    return [other for other in parents if is_within(other, folder_id, parents)]


def ancestors(folder_id: str, parents: Parents) -> list[str]:
    """``folder_id`` and every folder above it, nearest first (a parent cycle is walked once)."""
    chain: list[str] = []
    node: str | None = folder_id
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain
