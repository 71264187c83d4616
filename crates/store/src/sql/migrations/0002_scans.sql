-- The field scan log: what scanners at rendezvous points and gates recorded, offline or not,
-- synced later. Keyed by (device, sequence) so that re-sending is harmless.

CREATE TABLE scans (
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    device       TEXT NOT NULL,
    seq          BIGINT NOT NULL CHECK (seq >= 0),
    pass_index   BIGINT NOT NULL,
    rv_id        BIGINT,
    gate_id      BIGINT,
    outcome      TEXT NOT NULL,
    scanned_at   BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    user_id      BIGINT,
    PRIMARY KEY (operation_id, device, seq)
);
CREATE INDEX scans_pass ON scans (operation_id, pass_index);
