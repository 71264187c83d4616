-- Audit entries of changes, written in the change's own transaction and moved into the chain
-- (audit_log) right after it commits, by one chaining transaction at a time (see
-- sql/audit.rs). Writers no longer hold the chain head while they commit.
CREATE TABLE audit_pending (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    operation_id INTEGER,
    user_id      INTEGER,
    role         TEXT,
    device       TEXT,
    action       TEXT NOT NULL,
    record       TEXT,
    reason       TEXT
);
