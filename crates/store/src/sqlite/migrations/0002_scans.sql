-- The field scan log: what scanners at rendezvous points and gates recorded, offline or not,
-- synced later. Keyed by (device, sequence) so that re-sending is harmless.

CREATE TABLE scans (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    device       TEXT NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    pass_index   INTEGER NOT NULL,
    rv_id        INTEGER,
    gate_id      INTEGER,
    outcome      TEXT NOT NULL,
    scanned_at   INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    user_id      INTEGER,
    PRIMARY KEY (operation_id, device, seq)
);
CREATE INDEX scans_pass ON scans (operation_id, pass_index);
CREATE TRIGGER scans_no_update BEFORE UPDATE ON scans
BEGIN SELECT RAISE(ABORT, 'scans are append-only'); END;
CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
BEGIN SELECT RAISE(ABORT, 'scans are append-only'); END;
