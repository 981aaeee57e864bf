-- Agents who follow a ticket: they hear of its new messages by mail, whoever it is assigned to.
CREATE TABLE ticket_followers (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (account_id, ticket_id, agent_id)
);
