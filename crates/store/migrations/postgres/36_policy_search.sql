-- The policy search index (a tantivy directory outside the database) is rebuilt from here.
-- `generation` counts policy writes: every insert or edit of a policy bumps it in the same
-- transaction and stamps the policy's row with the new value (`search_generation`). The index
-- keeps in its own commit the generation it reflects and the `instance` of the database it was
-- built from; an index behind the database catches up on the rows stamped after it, an index of
-- another database (or ahead of this one) is rebuilt.
CREATE TABLE policy_search_state (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    generation  BIGINT NOT NULL,
    instance    TEXT
);
INSERT INTO policy_search_state (id, generation, instance) VALUES (1, 1, NULL);
ALTER TABLE policies ADD COLUMN search_generation BIGINT NOT NULL DEFAULT 1;
CREATE INDEX policies_search_generation ON policies (search_generation);
