-- Ticket search. The index is derived data: the unit of work that changes a ticket marks it dirty, the indexer
-- (re)writes its document within a second, `parley reindex` rebuilds it all. Documents are kept in FTS5 without
-- their text (contentless), with secure-delete so that a removed document's terms leave the index's pages.
CREATE TABLE search_docs (
    doc INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    UNIQUE (account_id, ticket_id)
);
CREATE VIRTUAL TABLE ticket_search USING fts5(
    words, stems, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO ticket_search (ticket_search, rank) VALUES ('secure-delete', 1);
-- Tickets whose document is out of date; `generation` counts changes since it was last indexed.
CREATE TABLE search_dirty (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (account_id, ticket_id)
);
