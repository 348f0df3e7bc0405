-- Audit log (issue 2 §6) is append-only at the database level, for every role, the application's
-- included:
--   * DELETE and TRUNCATE are refused;
--   * an INSERT must arrive unsealed (seq, prev_hash and hash empty): nobody writes chain links by hand;
--   * the only UPDATE allowed seals an unsealed entry: it sets seq, prev_hash and hash and changes
--     nothing else; at commit each sealed entry must link to the one before it (seq - 1, its hash).
-- The hashes themselves are recomputed by `npm run audit:verify`.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE FUNCTION audit_log_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL THEN
    RAISE EXCEPTION 'audit_log entries are inserted unsealed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_insert BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_check_insert();
--> statement-breakpoint
CREATE FUNCTION audit_log_check_seal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.seq IS NOT NULL OR NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
     OR (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash']) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash']) THEN
    RAISE EXCEPTION 'audit_log is append-only: UPDATE refused (only sealing an unsealed entry is allowed)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_seal BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_check_seal();
--> statement-breakpoint
-- Checked at commit, when a whole sealing batch is visible: each sealed entry links to the entry
-- before it (the unique seq forbids forks).
CREATE FUNCTION audit_log_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_hash text;
BEGIN
  IF NEW.seq = 1 THEN
    IF NEW.prev_hash <> repeat('0', 64) THEN
      RAISE EXCEPTION 'audit_log chain must start at seq 1 with a zero prev_hash';
    END IF;
  ELSE
    SELECT hash INTO before_hash FROM audit_log WHERE seq = NEW.seq - 1;
    IF before_hash IS NULL OR before_hash <> NEW.prev_hash THEN
      RAISE EXCEPTION 'audit_log entry % does not link to entry %', NEW.seq, NEW.seq - 1;
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_log_link AFTER UPDATE ON audit_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_check_link();
