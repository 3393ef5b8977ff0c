"""The one naming rule for vector collections."""

from services.common.collection_names import file_collection, file_id_of


def test_a_file_collection_names_its_file() -> None:
    assert file_collection("f1") == "file-f1"
    assert file_id_of(file_collection("f-1")) == "f-1"


def test_a_knowledge_collection_names_no_file() -> None:
    assert file_id_of("0b5c7d0e-knowledge") is None
    assert file_id_of("files-f1") is None
