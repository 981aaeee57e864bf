-- A new version of the subprocessor register that changed this account's list: shown to its owners, mailed to
-- them, and open to their objection until object_until.
CREATE TABLE register_notices (
    account_id TEXT NOT NULL,
    register_version BIGINT NOT NULL,
    changes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    object_until BIGINT NOT NULL,
    objected_at BIGINT,
    objected_by TEXT,
    objection TEXT,
    PRIMARY KEY (account_id, register_version)
);
