-- Need to know: an escort or gate user acts only at the rendezvous points and gates assigned
-- to them, and only while the assignment is valid.
CREATE TABLE place_assignments (
    user_id      BIGINT NOT NULL REFERENCES users(id),
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    kind         TEXT NOT NULL CHECK (kind IN ('rv', 'gate')),
    place_id     BIGINT NOT NULL,
    valid_from   BIGINT,
    valid_until  BIGINT,
    PRIMARY KEY (user_id, operation_id, kind, place_id)
);
