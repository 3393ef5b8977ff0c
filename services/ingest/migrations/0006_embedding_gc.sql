-- Embedding garbage collection (embedding_gc.py) asks, per embedding, whether any chunk still uses
-- it: without this index every such question would scan all chunks.
CREATE INDEX ingest_chunk_text_hash ON ingest_chunk (text_hash);
