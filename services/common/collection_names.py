"""Vector collection names: a file's own is ``file-<file id>``, a knowledge collection's is its id."""

FILE_COLLECTION_PREFIX = "file-"


def file_collection(file_id: str) -> str:
    return FILE_COLLECTION_PREFIX + file_id


def file_id_of(name: str) -> str | None:
    """The file whose own collection ``name`` is; None for a knowledge collection."""
    return name[len(FILE_COLLECTION_PREFIX) :] if name.startswith(FILE_COLLECTION_PREFIX) else None
