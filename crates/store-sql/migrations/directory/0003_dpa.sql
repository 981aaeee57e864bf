-- The operator's data processing agreement, every version kept. Not about any one account.
CREATE TABLE dpa_versions (
    version BIGINT PRIMARY KEY,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
