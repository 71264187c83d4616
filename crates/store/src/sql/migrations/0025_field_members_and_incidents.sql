-- Members of a household held apart from its stage: left in escort (then unaccounted) when the
-- others arrived at the gate, or resolved on their own by a coordinator. A person with no row
-- here is in the stage of their household (households.stage); a person with a row is in the
-- row's stage, at the batch, RV and gate it names (the places their counts are kept under).
CREATE TABLE held_people (
    person_id    BIGINT PRIMARY KEY REFERENCES people(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    batch_id     BIGINT NOT NULL REFERENCES batches(id),
    rv_id        BIGINT,
    gate_id      BIGINT,
    stage        TEXT NOT NULL,
    since        BIGINT NOT NULL
);
CREATE INDEX held_people_household ON held_people (household_id);
CREATE INDEX held_people_batch ON held_people (batch_id, stage);
CREATE INDEX held_people_operation ON held_people (operation_id, stage);

-- Resolutions are per person: each row names the person it resolves. A resolution made before
-- resolved the whole household: it becomes one row per member.
ALTER TABLE custody_resolutions ADD COLUMN person_id BIGINT REFERENCES people(id);
INSERT INTO custody_resolutions (operation_id, household_id, batch_id, outcome, at, person_id)
SELECT r.operation_id, r.household_id, r.batch_id, r.outcome, r.at, p.id
FROM custody_resolutions r JOIN people p ON p.household_id = r.household_id
WHERE r.person_id IS NULL;
DELETE FROM custody_resolutions WHERE person_id IS NULL;
CREATE INDEX custody_resolutions_person ON custody_resolutions (person_id, batch_id);

-- Coordinators list incidents by kind and place, a page at a time by id (newest first).
CREATE INDEX incidents_by_id ON incidents (operation_id, id);
CREATE INDEX incidents_by_kind ON incidents (operation_id, kind, id);
