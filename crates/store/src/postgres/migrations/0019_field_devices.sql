-- Device scans are append-only and kept as signed.
CREATE FUNCTION device_scans_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'device scans are append-only and kept as signed';
END $$;
CREATE TRIGGER device_scans_no_delete BEFORE DELETE ON device_scans
FOR EACH ROW EXECUTE FUNCTION device_scans_kept();
CREATE TRIGGER device_scans_kept_as_signed BEFORE UPDATE OF record, signature, seq, device_id, at
ON device_scans FOR EACH ROW EXECUTE FUNCTION device_scans_kept();
