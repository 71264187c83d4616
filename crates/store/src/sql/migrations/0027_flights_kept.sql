-- A flight taken off the schedule stays, marked with when: its id is never given to another
-- flight (SQLite gives a deleted row's id to the next one), so a page still showing it, or an
-- event naming it, can never mean another flight.
ALTER TABLE flights ADD COLUMN cancelled_at BIGINT;
-- The hotline worklist reads, for each household at a suspended RV, the RV's last suspension
-- and the household's calls after it, by event.
CREATE INDEX events_rv_kind ON events (rv_id, kind, id);
CREATE INDEX events_household_kind ON events (household_id, kind, id);
