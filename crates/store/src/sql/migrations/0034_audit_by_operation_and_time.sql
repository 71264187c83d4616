-- The audit entries of one operation in time order, for the auditor's review of who read
-- personal data since a time (store::access): it reads that operation's entries from that
-- time on, never the whole chain.
CREATE INDEX audit_log_operation_at ON audit_log (operation_id, at, seq);
