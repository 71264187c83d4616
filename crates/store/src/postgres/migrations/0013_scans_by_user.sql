-- A scan is keyed by the user who synced it as well as its device and sequence number, so that
-- scans sent under another user's device id can never shadow that device's own: each user's
-- devices are numbered apart. Scans synced before users were recorded are kept under user 0.

ALTER TABLE scans DISABLE TRIGGER scans_no_update;
UPDATE scans SET user_id = 0 WHERE user_id IS NULL;
ALTER TABLE scans ENABLE TRIGGER scans_no_update;
ALTER TABLE scans ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE scans DROP CONSTRAINT scans_pkey;
ALTER TABLE scans ADD PRIMARY KEY (operation_id, user_id, device, seq);
