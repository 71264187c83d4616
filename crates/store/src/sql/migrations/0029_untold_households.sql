-- A household still to come whose new window (a reassignment, its window moved in time) could
-- not be told: no phone to text, or the notice failed for good. From this time it is on the
-- hotline's worklist until a call guides it or a later notice is delivered (sql/calls.rs,
-- sql/outbox.rs).
ALTER TABLE households ADD COLUMN untold_since BIGINT;
