-- The audit log: every change and every read of personal data, one hash chain for the whole
-- store. It holds no personal data: who (user id, role, device), what (an action name),
-- which record (an id or a case reference), why (a stated reason), when.

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    operation_id INTEGER,
    user_id      INTEGER,
    role         TEXT,
    device       TEXT,
    action       TEXT NOT NULL,
    record       TEXT,
    reason       TEXT,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The head of the chain, one row; appending locks it, so concurrent writers make one chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Signed statements of the chain head at a time.
CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,
    hash      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    kid       BLOB NOT NULL,
    signature BLOB NOT NULL
);

-- The key that signs checkpoints: its secret wrapped under the key encryption key.
CREATE TABLE audit_keys (
    kid            BLOB PRIMARY KEY,
    public_key     BLOB NOT NULL,
    wrapped_secret BLOB NOT NULL,
    created_at     INTEGER NOT NULL
);
