-- The hotline's calls and the message outbox (issue 16).
--
-- A message to a household, written in the transaction of the change that causes it. The
-- recipient and the text are sealed (record kind "message", bound to the row id). The
-- idempotency key goes to the gateway with every attempt, so a send repeated after a crash
-- between sending and recording is delivered once by a gateway that honours it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    operation_id    INTEGER NOT NULL REFERENCES operations(id),
    household_id    INTEGER NOT NULL REFERENCES households(id),
    kind            TEXT NOT NULL,
    sealed          BLOB NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_household ON outbox (household_id, id);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- A call: which case, who took it, its outcome (safeconduct_domain::hotline::CallOutcome),
-- when, and the message it queued (the route instructions sent). The operator's notes are
-- personal data, sealed under the operation's data key (record kind "call", bound to the row
-- id), NULL when none were written.
CREATE TABLE hotline_calls (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    user_id      INTEGER REFERENCES users(id),
    outcome      TEXT NOT NULL,
    message_id   INTEGER REFERENCES outbox(id),
    sealed       BLOB,
    at           INTEGER NOT NULL
);
CREATE INDEX hotline_calls_household ON hotline_calls (household_id, id);
