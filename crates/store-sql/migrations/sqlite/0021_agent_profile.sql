-- Each agent's own settings for the workspace: language, time zone, signature, and opt-in notifications.
ALTER TABLE agents ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE agents ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN notify_desktop INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN notify_sound INTEGER NOT NULL DEFAULT 0;
