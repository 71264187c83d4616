-- Registrations sent with an Idempotency-Key: a request repeated with the same key by the same
-- user (its first answer was lost) returns the household registered the first time instead of
-- registering it again. The fingerprint is a keyed hash of the request under the operation's
-- data key, so the same key sent with a different request is recognised, and the table reveals
-- nothing of what was registered.
CREATE TABLE request_keys (
    user_id      BIGINT NOT NULL,
    request_key  TEXT NOT NULL,
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    fingerprint  BYTEA NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, request_key)
);
