-- Knowledge bases: several per account, categories nested one level, articles with a version per language, reader
-- feedback, images kept as blobs.
CREATE TABLE knowledge_bases (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    visibility TEXT NOT NULL,
    default_language TEXT NOT NULL,
    languages TEXT NOT NULL,
    look TEXT NOT NULL,
    companies TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id),
    CONSTRAINT knowledge_bases_slug UNIQUE (account_id, slug)
);
CREATE TABLE kb_categories (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    parent_id TEXT,
    position INTEGER NOT NULL,
    texts TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX kb_categories_kb ON kb_categories (account_id, kb_id);
CREATE TABLE kb_articles (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    category_id TEXT,
    tags TEXT NOT NULL,
    position INTEGER NOT NULL,
    helpful INTEGER NOT NULL DEFAULT 0,
    not_helpful INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX kb_articles_kb ON kb_articles (account_id, kb_id);
CREATE TABLE kb_translations (
    account_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    author_id TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, article_id, language)
);
CREATE TABLE kb_images (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX kb_images_blob ON kb_images (account_id, blob_hash);
-- The article search index (derived: rebuilt from the versions where an account arrives), written with each save.
CREATE TABLE kb_search_docs (
    doc INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    language TEXT NOT NULL,
    UNIQUE (account_id, article_id, language)
);
CREATE VIRTUAL TABLE kb_search USING fts5(
    words, stems, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO kb_search (kb_search, rank) VALUES ('secure-delete', 1);
