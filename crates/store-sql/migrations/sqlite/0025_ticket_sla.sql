-- A ticket's SLA as last looked at, kept with the ticket so that lists sort and filter by it and the sweep finds
-- what comes due without reading any ticket that cannot: `sla` is the record (policy and targets, JSON),
-- `sla_due_at` the soonest due time of a running target, `sla_state` breached/active/paused/fulfilled,
-- `sla_check_at` when the ticket must be looked at next (set to the change's time by every change to the ticket,
-- then to the next warning or breach), `sla_rev` counts the records written (so two processes never both tell
-- the same event).
ALTER TABLE tickets ADD COLUMN sla TEXT;
ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_state TEXT;
ALTER TABLE tickets ADD COLUMN sla_check_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_rev INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_sla_check ON tickets (sla_check_at) WHERE sla_check_at IS NOT NULL;
CREATE INDEX tickets_sla_due ON tickets (account_id, sla_due_at, id) WHERE sla_due_at IS NOT NULL;
