-- A revision of the account's rules (triggers, SLA policies, business hours, which department keeps which, and
-- the macros triggers may apply), counted up by the database whenever one of their rows is written or deleted, so
-- a process that keeps the rules read for new tickets (see parley_app::rules_cache) can have a ticket's write check
-- that they are still the account's, whichever process changed them.
ALTER TABLE accounts ADD COLUMN rules_rev BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION parley_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET rules_rev = rules_rev + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.account_id ELSE NEW.account_id END;
    RETURN NULL;
END;
$$;
CREATE TRIGGER triggers_rules AFTER INSERT OR UPDATE OR DELETE ON triggers FOR EACH ROW EXECUTE FUNCTION parley_rules_changed();
CREATE TRIGGER sla_policies_rules AFTER INSERT OR UPDATE OR DELETE ON sla_policies FOR EACH ROW EXECUTE FUNCTION parley_rules_changed();
CREATE TRIGGER business_hours_rules AFTER INSERT OR UPDATE OR DELETE ON business_hours FOR EACH ROW EXECUTE FUNCTION parley_rules_changed();
CREATE TRIGGER department_business_hours_rules AFTER INSERT OR UPDATE OR DELETE ON department_business_hours FOR EACH ROW EXECUTE FUNCTION parley_rules_changed();
CREATE TRIGGER macros_rules AFTER INSERT OR UPDATE OR DELETE ON macros FOR EACH ROW EXECUTE FUNCTION parley_rules_changed();
