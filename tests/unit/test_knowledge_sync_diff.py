"""The folder-sync diff and the directory-tree helpers, as pure functions."""

from services.ingest.sync_diff import (
    DirectoryRecord,
    HeldFile,
    ManifestEntry,
    compute_diff,
    directory_paths,
    subtree_first,
    would_cycle,
)


def _dir(dir_id: str, name: str, parent: str | None = None) -> DirectoryRecord:
    return DirectoryRecord(dir_id, "kb", parent, name, "u", 1, 1)


TREE = [_dir("d-docs", "docs"), _dir("d-api", "api", "d-docs"), _dir("d-old", "old")]


def _entry(path: str, filename: str, checksum: str) -> ManifestEntry:
    return ManifestEntry(filename, path, checksum, 10)


def test_directory_paths_join_names_from_the_root() -> None:
    assert directory_paths(TREE) == {"d-docs": "docs", "d-api": "docs/api", "d-old": "old"}


def test_directory_paths_stop_at_a_missing_parent_or_a_loop() -> None:
    loop = [_dir("a", "a", "b"), _dir("b", "b", "a"), _dir("c", "c", "gone")]
    paths = directory_paths(loop)
    assert paths["c"] == "c"
    assert paths["a"] == "b/a" and paths["b"] == "a/b"


def test_added_modified_deleted_and_unmodified() -> None:
    linked = [
        HeldFile("f-readme", "readme.md", None, "h1"),
        HeldFile("f-spec", "spec.md", "d-api", "h2"),
        HeldFile("f-gone", "gone.txt", "d-old", "h3"),
    ]
    manifest = [
        _entry("", "readme.md", "h1"),
        _entry("docs/api", "spec.md", "h2-new"),
        _entry("docs/api", "new.md", "h4"),
        _entry("guide/intro", "a.md", "h5"),
    ]
    diff = compute_diff(manifest, TREE, linked)
    assert diff.unmodified_count == 1
    assert diff.modified == [("spec.md", "docs/api", "f-spec")]
    assert diff.added == [("new.md", "docs/api"), ("a.md", "guide/intro")]
    assert diff.deleted == [("f-gone", "gone.txt")]
    assert diff.mkdir == ["guide", "guide/intro"]
    assert diff.rmdir == ["d-old"]
    assert diff.directory_map == {"docs": "d-docs", "docs/api": "d-api", "old": "d-old"}


def test_same_name_in_another_folder_is_another_file() -> None:
    linked = [HeldFile("f1", "a.md", "d-docs", "h")]
    diff = compute_diff([_entry("", "a.md", "h")], TREE, linked)
    assert diff.added == [("a.md", "")]
    assert diff.deleted == [("f1", "a.md")]


def test_a_file_without_a_stored_hash_is_modified() -> None:
    diff = compute_diff([_entry("", "a.md", "h")], [], [HeldFile("f1", "a.md", None, None)])
    assert diff.modified == [("a.md", "", "f1")]


def test_pending_uploads_with_the_same_bytes_count_as_unmodified() -> None:
    pending = [HeldFile("p1", "a.md", "d-docs", "h"), HeldFile("p2", "b.md", None, "old")]
    manifest = [_entry("docs", "a.md", "h"), _entry("", "b.md", "new")]
    diff = compute_diff(manifest, TREE, [], pending)
    assert diff.unmodified_count == 1
    assert diff.added == [("b.md", "")]
    # A pending file is never proposed for deletion.
    assert diff.deleted == []


def test_required_directories_keep_their_parents() -> None:
    diff = compute_diff([_entry("docs/api", "x", "h")], TREE, [])
    assert diff.mkdir == []
    assert diff.rmdir == ["d-old"]


def test_empty_manifest_deletes_everything() -> None:
    linked = [HeldFile("f1", "a", "d-api", "h")]
    diff = compute_diff([], TREE, linked)
    assert diff.deleted == [("f1", "a")]
    # Parents first (a client removing them in reverse removes children first).
    assert diff.rmdir == ["d-docs", "d-old", "d-api"]


def test_subtree_first_lists_children_before_parents() -> None:
    order = subtree_first(TREE, "d-docs")
    assert order == ["d-api", "d-docs"]
    assert subtree_first(TREE, "d-old") == ["d-old"]


def test_would_cycle() -> None:
    assert would_cycle(TREE, "d-docs", "d-api")
    assert would_cycle(TREE, "d-docs", "d-docs")
    assert not would_cycle(TREE, "d-api", None)
    assert not would_cycle(TREE, "d-api", "d-old")
