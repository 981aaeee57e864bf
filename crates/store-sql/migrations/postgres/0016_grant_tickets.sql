-- A support grant may be limited to some tickets (a JSON list of ids; empty: no such limit), beside departments.
ALTER TABLE support_grants ADD COLUMN ticket_ids TEXT NOT NULL DEFAULT '[]';
