-- The directory: which region each account lives in. Nothing else about an account belongs here.
CREATE TABLE directory (
    slug TEXT PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    status TEXT NOT NULL
);
