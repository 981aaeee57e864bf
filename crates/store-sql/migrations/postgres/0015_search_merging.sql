-- SQLite's migration 0013 tunes how FTS5 merges its segments; PostgreSQL's GIN indexes need no such setting. This
-- one is kept so that both engines have the same schema versions.
SELECT 1;
