-- The audit log: every change and every read of personal data, one hash chain for the whole
-- store. It holds no personal data: who (user id, role, device), what (an action name),
-- which record (an id or a case reference), why (a stated reason), when.

CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    operation_id BIGINT,
    user_id      BIGINT,
    role         TEXT,
    device       TEXT,
    action       TEXT NOT NULL,
    record       TEXT,
    reason       TEXT,
    prev_hash    BYTEA NOT NULL,
    hash         BYTEA NOT NULL
);

-- The head of the chain, one row; appending locks it, so concurrent writers make one chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);

-- Signed statements of the chain head at a time.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      BYTEA NOT NULL,
    at        BIGINT NOT NULL,
    kid       BYTEA NOT NULL,
    signature BYTEA NOT NULL
);

-- The key that signs checkpoints: its secret wrapped under the key encryption key.
CREATE TABLE audit_keys (
    kid            BYTEA PRIMARY KEY,
    public_key     BYTEA NOT NULL,
    wrapped_secret BYTEA NOT NULL,
    created_at     BIGINT NOT NULL
);
