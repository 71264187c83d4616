-- A scan is keyed by the user who synced it as well as its device and sequence number, so that
-- scans sent under another user's device id can never shadow that device's own: each user's
-- devices are numbered apart. Scans synced before users were recorded are kept under user 0.
-- SQLite cannot change a primary key in place: the table is rebuilt, its rows copied.

CREATE TABLE scans_by_user (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    user_id      INTEGER NOT NULL,
    device       TEXT NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    pass_index   INTEGER NOT NULL,
    rv_id        INTEGER,
    gate_id      INTEGER,
    outcome      TEXT NOT NULL,
    scanned_at   INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (operation_id, user_id, device, seq)
);
INSERT INTO scans_by_user (operation_id, user_id, device, seq, pass_index, rv_id, gate_id,
                           outcome, scanned_at, received_at)
SELECT operation_id, COALESCE(user_id, 0), device, seq, pass_index, rv_id, gate_id, outcome,
       scanned_at, received_at
FROM scans;
DROP TABLE scans;
ALTER TABLE scans_by_user RENAME TO scans;
CREATE INDEX scans_pass ON scans (operation_id, pass_index);
CREATE TRIGGER scans_no_update BEFORE UPDATE ON scans
BEGIN SELECT RAISE(ABORT, 'scans are append-only'); END;
CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
BEGIN SELECT RAISE(ABORT, 'scans are append-only'); END;
