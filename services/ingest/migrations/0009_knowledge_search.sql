-- The files uploaded for a knowledge collection (client metadata `knowledge_id`) that are still
-- waiting or processing: what `GET /knowledge/{id}/files/pending` reads, without a scan of every file.
CREATE INDEX ingest_file_pending_knowledge ON ingest_file ((client_meta ->> 'knowledge_id'))
    WHERE status IN ('pending', 'processing');

-- Knowledge file search matches filenames with ILIKE '%…%', which only a trigram index serves.
-- pg_trgm is a trusted extension (PostgreSQL 13+), but a managed server may still refuse it: then
-- the search scans, and nothing else changes. (Knowledge search ORs four columns of two tables;
-- it scans the collections, which are few.)
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX ingest_file_filename_trgm ON ingest_file USING gin (filename gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm unavailable: knowledge file search without a trigram index';
END
$$;

-- Knowledge file search pages through linked files most recently updated first.
CREATE INDEX ingest_file_updated ON ingest_file (updated_at DESC, id);
