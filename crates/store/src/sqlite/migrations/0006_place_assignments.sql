-- Need to know: an escort or gate user acts only at the rendezvous points and gates assigned
-- to them, and only while the assignment is valid.
CREATE TABLE place_assignments (
    user_id      INTEGER NOT NULL REFERENCES users(id),
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    kind         TEXT NOT NULL CHECK (kind IN ('rv', 'gate')),
    place_id     INTEGER NOT NULL,
    valid_from   INTEGER,
    valid_until  INTEGER,
    PRIMARY KEY (user_id, operation_id, kind, place_id)
);
