-- Stated reasons (a rejection's, a withdrawal's, a revocation's, a read's X-Reason) were kept in
-- clear in the events and the audit log. The append-only triggers are lifted for the one
-- upgrade that seals them in place and relinks the audit chain over the sealed text
-- (sql/upgrade.rs, before migration 16); migration 16 puts them back.
DROP TRIGGER IF EXISTS events_no_update;
DROP TRIGGER IF EXISTS audit_log_no_update;
