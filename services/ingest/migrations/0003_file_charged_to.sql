-- Who an upload is charged to beyond its user: the API key it came with ('' for a session) and the
-- user's effective groups at upload time. Processing runs later, off any request, so usage records
-- and token limits of the file's processing read them here.
ALTER TABLE ingest_file ADD COLUMN key_id text NOT NULL DEFAULT '';
ALTER TABLE ingest_file ADD COLUMN group_ids text[] NOT NULL DEFAULT '{}';
