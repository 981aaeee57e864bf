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
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id),
    CONSTRAINT knowledge_bases_slug UNIQUE (account_id, slug)
);
CREATE TABLE kb_categories (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    parent_id TEXT,
    position BIGINT NOT NULL,
    texts TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX kb_categories_kb ON kb_categories (account_id, kb_id);
CREATE TABLE kb_articles (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    category_id TEXT,
    tags TEXT NOT NULL,
    position BIGINT NOT NULL,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
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
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, article_id, language)
);
CREATE TABLE kb_images (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX kb_images_blob ON kb_images (account_id, blob_hash);
-- The article search index (derived: rebuilt from the versions where an account arrives), written with each save.
CREATE TABLE kb_search (
    account_id TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    language TEXT NOT NULL,
    words TSVECTOR NOT NULL,
    stems TSVECTOR NOT NULL,
    PRIMARY KEY (account_id, article_id, language)
);
CREATE INDEX kb_search_words ON kb_search USING GIN (words);
CREATE INDEX kb_search_stems ON kb_search USING GIN (stems);
