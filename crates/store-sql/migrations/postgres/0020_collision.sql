-- Who has a ticket open, per agent socket (collision detection). A row lives while its socket is open; rows of a
-- process that died are ignored once its agent_connections row stops being refreshed, and cleared with it.
CREATE TABLE ticket_viewers (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    socket_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    process_id TEXT NOT NULL,
    since BIGINT NOT NULL,
    composing TEXT,
    composing_at BIGINT,
    PRIMARY KEY (account_id, ticket_id, socket_id)
);
CREATE INDEX ticket_viewers_socket ON ticket_viewers (socket_id);
