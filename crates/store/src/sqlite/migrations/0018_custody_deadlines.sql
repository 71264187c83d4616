-- Walking time from each rendezvous point to each gate it sends batches to, in minutes
-- (safeconduct_domain::places::WalkingTime::DEFAULT_MINUTES for links made before), and each
-- batch's custody deadline: departure + walking time + the tolerance
-- (safeconduct_domain::field::CUSTODY_TOLERANCE_SECONDS), fixed when it departs.
ALTER TABLE gate_rvs ADD COLUMN walking_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE batches ADD COLUMN deadline_at INTEGER NOT NULL DEFAULT 0;
UPDATE batches SET deadline_at = departed_at + 30 * 60 + 600;
CREATE INDEX batches_open_deadline ON batches (deadline_at) WHERE closed_at IS NULL;

-- A coordinator's resolutions of unaccounted households: which alarm (the batch), the outcome
-- (safeconduct_domain::field::CustodyOutcome) and when. The note is sealed in the event and the
-- audit entry of the step, never here.
CREATE TABLE custody_resolutions (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    batch_id     INTEGER NOT NULL REFERENCES batches(id),
    outcome      TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX custody_resolutions_household ON custody_resolutions (household_id, batch_id);
