-- Views: saved ticket lists, private to the agent who saved them or shared with the account. Filters are JSON in
-- the API's shape; sort and columns as the API spells them.
CREATE TABLE views (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    owner_id TEXT,
    shared BIGINT NOT NULL,
    name TEXT NOT NULL,
    filters TEXT NOT NULL,
    sort TEXT NOT NULL,
    columns TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX views_account ON views (account_id, shared, owner_id);

-- The built-in views' lists and counts at a million tickets. Each view reads one partial index in its order
-- (newest activity first, the default), so a first page reads a page of entries, and its count (capped: see
-- parley_app::views) reads at most cap + 1 entries without touching the table: the columns the view filters on
-- are in the index. The queries spell status, channel and "nobody's" exactly as these WHERE clauses do (a planner
-- uses a partial index only when the query's terms imply its WHERE; SQLite compares term by term).
-- All open, and a saved view narrowing it by priority:
CREATE INDEX tickets_open_updated ON tickets (account_id, updated_at, id, status, priority)
    WHERE status IN ('new', 'open');
-- My open and Unassigned (assignee_id IS NULL is an index lookup on both engines); channel is in it so that a
-- view of chats that SQLite's planner sends here still counts from the index alone:
CREATE INDEX tickets_open_assignee ON tickets (account_id, assignee_id, updated_at, id, status, priority, channel)
    WHERE status IN ('new', 'open');
-- One per department:
CREATE INDEX tickets_open_department ON tickets (account_id, department_id, updated_at, id, status, priority)
    WHERE status IN ('new', 'open');
-- Solved (resolved or closed), most of a mature account's tickets:
CREATE INDEX tickets_solved_updated ON tickets (account_id, updated_at, id, status)
    WHERE status IN ('resolved', 'closed');
-- Chats waiting and active: small indexes of the open chats only. Their leading columns match as many of the
-- query's equalities as tickets_open_assignee does (measured: with fewer, SQLite's planner took the big index and
-- read every open unassigned ticket to find the chats among them).
CREATE INDEX tickets_chats_waiting ON tickets (account_id, assignee_id, updated_at, id, status, channel)
    WHERE channel = 'chat' AND status IN ('new', 'open') AND assignee_id IS NULL;
CREATE INDEX tickets_chats_active ON tickets (account_id, channel, updated_at, id, status, assignee_id)
    WHERE channel = 'chat' AND status IN ('new', 'open') AND assignee_id IS NOT NULL;
-- The company filter: a company's contacts.
CREATE INDEX contacts_company ON contacts (account_id, company_id);
