-- A revision of the account's rules (triggers, SLA policies, business hours, which department keeps which, and
-- the macros triggers may apply), counted up by the database whenever one of their rows is written or deleted, so
-- a process that keeps the rules read for new tickets (see parley_app::rules_cache) can have a ticket's write check
-- that they are still the account's, whichever process changed them.
ALTER TABLE accounts ADD COLUMN rules_rev INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER triggers_rules_insert AFTER INSERT ON triggers FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER triggers_rules_update AFTER UPDATE ON triggers FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER triggers_rules_delete AFTER DELETE ON triggers FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER sla_policies_rules_insert AFTER INSERT ON sla_policies FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER sla_policies_rules_update AFTER UPDATE ON sla_policies FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER sla_policies_rules_delete AFTER DELETE ON sla_policies FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER business_hours_rules_insert AFTER INSERT ON business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER business_hours_rules_update AFTER UPDATE ON business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER business_hours_rules_delete AFTER DELETE ON business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER department_business_hours_rules_insert AFTER INSERT ON department_business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER department_business_hours_rules_update AFTER UPDATE ON department_business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER department_business_hours_rules_delete AFTER DELETE ON department_business_hours FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER macros_rules_insert AFTER INSERT ON macros FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER macros_rules_update AFTER UPDATE ON macros FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER macros_rules_delete AFTER DELETE ON macros FOR EACH ROW BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1 WHERE id = OLD.account_id;
END;
