-- Scans are append-only.
CREATE FUNCTION scans_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'scans are append-only'; END $$;
CREATE TRIGGER scans_no_update BEFORE UPDATE OR DELETE ON scans
FOR EACH ROW EXECUTE FUNCTION scans_append_only();
