-- Business hours: an account's calendars of weekly periods and holidays (the API's JSON shape, checked when saved),
-- one of them the default; and which departments work by which.
CREATE TABLE business_hours (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    calendar TEXT NOT NULL,
    is_default BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX business_hours_account ON business_hours (account_id, name);
-- At most one default per account.
CREATE UNIQUE INDEX business_hours_default ON business_hours (account_id) WHERE is_default = 1;

-- A department works by at most one calendar.
CREATE TABLE department_business_hours (
    account_id TEXT NOT NULL,
    department_id TEXT NOT NULL,
    business_hours_id TEXT NOT NULL,
    PRIMARY KEY (account_id, department_id)
);
CREATE INDEX department_business_hours_by_hours ON department_business_hours (account_id, business_hours_id);
