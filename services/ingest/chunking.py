"""Splitting pages into chunks as Open WebUI's default does: markdown headers, then recursive characters."""

from dataclasses import dataclass

from services.ingest.extract import Page

HEADERS_TO_SPLIT_ON = [
    ("#", "Header 1"),
    ("##", "Header 2"),
    ("###", "Header 3"),
    ("####", "Header 4"),
    ("#####", "Header 5"),
    ("######", "Header 6"),
]


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    start_index: int
    metadata: dict


def split_pages(
    pages: list[Page], *, chunk_size: int, chunk_overlap: int, markdown_headers: bool
) -> list[Chunk]:
    """The chunks of ``pages``; ValueError if ``chunk_overlap`` exceeds ``chunk_size`` (as langchain)."""
    # Here, not at module level: langchain costs every ingest process 15 MB at start.
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from services.ingest.markdown_headers import LinearMarkdownHeaderTextSplitter

    text_splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
    )
    docs = [Document(page_content=page.text, metadata=dict(page.metadata)) for page in pages]
    if markdown_headers:
        header_splitter = LinearMarkdownHeaderTextSplitter(
            headers_to_split_on=HEADERS_TO_SPLIT_ON, strip_headers=False
        )
        docs = [
            Document(page_content=section.page_content, metadata={**doc.metadata, **section.metadata})
            for doc in docs
            for section in header_splitter.split_text(doc.page_content)
        ]
    chunks = []
    for doc in text_splitter.split_documents(docs):
        if not doc.page_content.strip():
            continue
        metadata = dict(doc.metadata)
        start_index = metadata.pop("start_index")
        chunks.append(Chunk(text=doc.page_content, start_index=start_index, metadata=metadata))
    return chunks
