-- Plans computed by the planner (crates/plan) from the operation's state, kept as previews and
-- accepted whole. `fingerprint` is the SHA-256 of the planning state the plan was computed
-- from (sql/plans.rs): a plan is accepted only while the state is still that one. `moves` lists
-- each household the plan gives a window ([[household, window], …]); `answer` is the preview as
-- answered (figures, unplaced households with reasons). Neither holds personal data: ids,
-- counts and reasons only.
CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    kind        TEXT NOT NULL CHECK (kind IN ('plan', 'replan')),
    fingerprint BLOB NOT NULL,
    moves       TEXT NOT NULL,
    answer      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  INTEGER,
    accepted_at INTEGER,
    accepted_by INTEGER
);
CREATE INDEX plans_operation ON plans (operation_id, id);

-- Where a household's window came from: `pinned` when a coordinator assigned it by hand (every
-- later plan keeps it there until the pin is released), `plan_id` when an accepted plan did.
-- Windows held before plans existed were all assigned by hand.
ALTER TABLE households ADD COLUMN plan_id INTEGER REFERENCES plans(id);
ALTER TABLE households ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
UPDATE households SET pinned = 1 WHERE window_id IS NOT NULL;
