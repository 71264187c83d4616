-- Encryption at rest: each operation's data key, wrapped under the key file; the sealed
-- personal fields and blind indexes of households, people and documents (see vault.rs).

CREATE TABLE operation_keys (
    operation_id BIGINT PRIMARY KEY REFERENCES operations(id),
    -- NULL once shredded.
    wrapped      BYTEA,
    created_at   BIGINT NOT NULL,
    shredded_at  BIGINT,
    CHECK ((wrapped IS NULL) = (shredded_at IS NOT NULL))
);

ALTER TABLE operations ADD COLUMN closed_at BIGINT;

ALTER TABLE households ADD COLUMN sealed BYTEA;
ALTER TABLE households ADD COLUMN phone_index BYTEA;
ALTER TABLE people ADD COLUMN sealed BYTEA;
ALTER TABLE people ADD COLUMN phone_index BYTEA;
ALTER TABLE people ADD COLUMN name_index BYTEA;
ALTER TABLE documents ADD COLUMN sealed BYTEA;
ALTER TABLE documents ADD COLUMN number_index BYTEA;
