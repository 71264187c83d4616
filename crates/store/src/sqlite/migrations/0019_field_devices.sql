-- Enrolled field devices, the signed records they sync, the incidents found when the records
-- meet, and the release of a gate's location to an escort device.
--
-- A device is enrolled by a coordinator for one user, one role (escort or gate) and its places
-- (comma-separated RV ids for an escort device, gate ids for a gate device); it registers its
-- own public key with a one-time code (only its SHA-256 is kept). `applied_seq` is the highest
-- sequence number up to which every record of the device has had its effect, in order.
CREATE TABLE devices (
    id              INTEGER PRIMARY KEY,
    operation_id    INTEGER NOT NULL REFERENCES operations(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    role            TEXT NOT NULL CHECK (role IN ('escort', 'gate')),
    places          TEXT NOT NULL,
    label           TEXT NOT NULL,
    code_hash       BLOB,
    code_expires_at INTEGER NOT NULL,
    public_key      BLOB,
    enrolled_at     INTEGER,
    suspended_at    INTEGER,
    applied_seq     INTEGER NOT NULL DEFAULT -1,
    last_sync_at    INTEGER,
    last_skew       INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX devices_operation ON devices (operation_id);

-- Every record a device synced, kept as signed (`record` and `signature`) and as read. Keyed by
-- device and sequence number: a record sent again is the same record. `effect` is NULL until
-- the record's turn comes (its device's earlier records applied), then `applied`, `incident`,
-- `noted` (a refusal, logged only) or `waiting` (a gate act whose household has not yet left
-- its RV in any synced record).
CREATE TABLE device_scans (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    device_id    INTEGER NOT NULL REFERENCES devices(id),
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    act          TEXT NOT NULL,
    rv_id        INTEGER,
    gate_id      INTEGER,
    pass_index   INTEGER,
    batch_no     INTEGER,
    to_gate      INTEGER,
    head_count   INTEGER,
    people       INTEGER,
    code         TEXT,
    at           INTEGER NOT NULL,
    skew         INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    record       TEXT NOT NULL,
    signature    BLOB NOT NULL,
    effect       TEXT,
    household_id INTEGER,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX device_scans_pass ON device_scans (operation_id, pass_index);
CREATE INDEX device_scans_waiting ON device_scans (operation_id) WHERE effect = 'waiting';
CREATE TRIGGER device_scans_no_delete BEFORE DELETE ON device_scans
BEGIN SELECT RAISE(ABORT, 'device scans are append-only'); END;
CREATE TRIGGER device_scans_kept_as_signed BEFORE UPDATE OF record, signature, seq, device_id, at
ON device_scans
BEGIN SELECT RAISE(ABORT, 'device scans are kept as signed'); END;

-- Each sync: when it arrived, the device's clock then, and the skew measured.
CREATE TABLE device_syncs (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    at          INTEGER NOT NULL,
    device_time INTEGER NOT NULL,
    skew        INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    received    INTEGER NOT NULL
);
CREATE INDEX device_syncs_device ON device_syncs (device_id, id);

-- Batches a device opened, numbered by the device; `batch_id` once the batch departed.
CREATE TABLE device_batches (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    batch_no  INTEGER NOT NULL,
    rv_id     INTEGER NOT NULL,
    gate_id   INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    batch_id  INTEGER REFERENCES batches(id),
    PRIMARY KEY (device_id, batch_no)
);

-- Conflicts found in synced records. `key` makes one incident of the same conflict met again
-- (a pass admitted a third time joins the double admission already open). The note of a
-- resolution is sealed (`reasons`), never kept here in clear.
CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    pass_index   INTEGER,
    household_id INTEGER,
    rv_id        INTEGER,
    gate_id      INTEGER,
    detail       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  INTEGER,
    note         TEXT,
    UNIQUE (operation_id, key)
);
CREATE INDEX incidents_open ON incidents (operation_id) WHERE resolved_at IS NULL;
CREATE TABLE incident_scans (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    device_id   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (incident_id, device_id, seq)
);

-- A gate's location released to an escort device for one window; revocable.
CREATE TABLE gate_releases (
    id          INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    gate_id     INTEGER NOT NULL REFERENCES gates(id),
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    window_id   INTEGER NOT NULL REFERENCES windows(id),
    released_at INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX gate_releases_device ON gate_releases (device_id);
