-- Directories inside a knowledge base (a tree per knowledge base) and the directory each linked
-- file sits in (NULL: the root).
CREATE TABLE ingest_knowledge_dir (
    id           text PRIMARY KEY,
    knowledge_id text NOT NULL REFERENCES ingest_knowledge (id) ON DELETE CASCADE,
    -- NULL: directly under the root. Deleting a parent deletes its subtree.
    parent_id    text REFERENCES ingest_knowledge_dir (id) ON DELETE CASCADE,
    name         text NOT NULL,
    user_id      text NOT NULL DEFAULT '',
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL
);
-- Sibling names are unique; NULL parents compare equal through COALESCE ('' is never an id).
CREATE UNIQUE INDEX ingest_knowledge_dir_sibling
    ON ingest_knowledge_dir (knowledge_id, COALESCE(parent_id, ''), name);
CREATE INDEX ingest_knowledge_dir_parent ON ingest_knowledge_dir (parent_id);

ALTER TABLE ingest_knowledge_file
    ADD COLUMN directory_id text NULL REFERENCES ingest_knowledge_dir (id) ON DELETE SET NULL;
CREATE INDEX ingest_knowledge_file_directory ON ingest_knowledge_file (directory_id)
    WHERE directory_id IS NOT NULL;
