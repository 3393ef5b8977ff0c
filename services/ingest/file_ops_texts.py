"""``/retrieval/process/file`` into a free-standing collection name: the file's text is added there
as ``/retrieval/process/files/batch`` adds one (the owner of those collections decides access)."""

from services.common.identity import Identity
from services.ingest.retrieval_core import BatchFile, RetrievalProcessingCore


class BatchTextCollections:
    def __init__(self, core: RetrievalProcessingCore) -> None:
        self._core = core

    async def add_file_text(
        self, caller: Identity, file_id: str, content: str, collection_name: str
    ) -> str | None:
        [outcome] = await self._core.process_files_batch(
            caller, [BatchFile(file_id, content)], collection_name
        )
        return outcome.error
