-- SQLite's migration 0017 moves FTS5's merging out of the writes that add documents; PostgreSQL's GIN indexes need
-- no such setting. This one is kept so that both engines have the same schema versions.
SELECT 1;
