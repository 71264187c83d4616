-- Whether vehicles can reach a rendezvous point (a household that must be driven goes only to
-- one that they can). A household's location and travel needs are personal data: they are
-- sealed with its other fields (`households.sealed`), not columns.
ALTER TABLE rvs ADD COLUMN vehicle_access BOOLEAN NOT NULL DEFAULT FALSE;

-- The rendezvous point a plan moved a household away from because it was no longer open (a
-- suspension, a hazard): the hotline's worklist keeps the household, with its new window, while
-- that point stays suspended, so that someone calls it.
ALTER TABLE households ADD COLUMN moved_from_rv BIGINT REFERENCES rvs(id);

-- The planning state counts, per window, the seats its movable households hold: without an
-- index on the window every window scanned every household (seconds at 100,000 people).
CREATE INDEX households_window ON households (window_id);
