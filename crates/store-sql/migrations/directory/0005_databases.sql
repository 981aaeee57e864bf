-- Which of its region's databases holds the account (`main` unless the operator gave the region more). Moves
-- between databases keep `move_from` and `move_to` as places: `eu` for a region's main database, `eu/b` for another.
ALTER TABLE directory ADD COLUMN database TEXT NOT NULL DEFAULT 'main';
