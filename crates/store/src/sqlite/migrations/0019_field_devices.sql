-- Device scans are append-only and kept as signed.
CREATE TRIGGER device_scans_no_delete BEFORE DELETE ON device_scans
BEGIN SELECT RAISE(ABORT, 'device scans are append-only'); END;
CREATE TRIGGER device_scans_kept_as_signed BEFORE UPDATE OF record, signature, seq, device_id, at
ON device_scans
BEGIN SELECT RAISE(ABORT, 'device scans are kept as signed'); END;
