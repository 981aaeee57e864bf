-- The operator's subprocessor register, every version kept (as JSON). Not about any one account: the register is
-- the operator's, the same for every region.
CREATE TABLE subprocessor_registers (
    version BIGINT PRIMARY KEY,
    date TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
