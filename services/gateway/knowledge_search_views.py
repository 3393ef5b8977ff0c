"""JSON shapes of knowledge search, knowledge file search and pending files, as Open WebUI returns
them, built from KnowledgeSearchService's messages."""

from services.gateway.http_errors import dumps
from services.gateway.ingest_views import file_json, knowledge_json, knowledge_list_item_json, user_ref_json
from webui.ingest.v1 import ingest_pb2
from webui.ingest.v1 import knowledge_search_pb2 as pb


def knowledge_search_json(page: pb.SearchKnowledgeResponse) -> dict:
    """``GET /api/v1/knowledge/search``: each collection with its owner, file count and write access."""
    return {"items": [knowledge_list_item_json(k) for k in page.items], "total": page.total}


def knowledge_file_search_json(page: pb.SearchKnowledgeFilesResponse, include_content: bool) -> dict:
    """``GET /api/v1/knowledge/search/files``: one item per (file, collection), ``data`` null unless
    content was asked for."""
    items = []
    for hit in page.items:
        owner = page.owners.get(hit.file.user_id, None)
        items.append(
            {
                **file_json(hit.file, data=include_content),
                "directory_id": hit.directory_id or None,
                "directory_path": hit.directory_path,
                # The uploaded bytes are always kept.
                "has_original": True,
                "user": user_ref_json(owner) if owner is not None else None,
                "collection": knowledge_json(hit.collection),
            }
        )
    return {"items": items, "directories": [], "breadcrumbs": [], "total": page.total}


def pending_files_json(files: list[ingest_pb2.File]) -> list[dict]:
    """``GET /api/v1/knowledge/{id}/files/pending``: FileModelResponse each (``data.status``)."""
    return [file_json(f) for f in files]


def pending_event(files: list[ingest_pb2.File]) -> bytes:
    """One SSE frame of the pending-files stream: the whole set."""
    return f"data: {dumps(pending_files_json(files))}\n\n".encode()
