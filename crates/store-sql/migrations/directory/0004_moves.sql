-- A move of an account to another region in progress: where from and where to. `move_to` is set while the
-- account is copied (it is served nowhere then); `move_from` stays after the switch until the source is wiped, so
-- a move cut off at any point can be finished by running it again.
ALTER TABLE directory ADD COLUMN move_from TEXT;
ALTER TABLE directory ADD COLUMN move_to TEXT;
