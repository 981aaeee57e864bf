-- Ticket search. The index is derived data: the unit of work that changes a ticket marks it dirty, the indexer
-- (re)writes its document within a second, `parley reindex` rebuilds it all. Every process serving the region
-- searches the same rows. Words (in order, for phrases and prefixes) and stems are analysed by Parley, so the
-- 'simple' configuration only splits them.
CREATE TABLE ticket_search (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    words TSVECTOR NOT NULL,
    stems TSVECTOR NOT NULL,
    PRIMARY KEY (account_id, ticket_id)
);
CREATE INDEX ticket_search_words ON ticket_search USING GIN (words);
CREATE INDEX ticket_search_stems ON ticket_search USING GIN (stems);
CREATE TABLE search_dirty (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    generation BIGINT NOT NULL,
    PRIMARY KEY (account_id, ticket_id)
);
