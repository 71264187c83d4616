-- Encryption at rest: each operation's data key, wrapped under the key file; the sealed
-- personal fields and blind indexes of households, people and documents (see vault.rs).

CREATE TABLE operation_keys (
    operation_id INTEGER PRIMARY KEY REFERENCES operations(id),
    -- NULL once shredded.
    wrapped      BLOB,
    created_at   INTEGER NOT NULL,
    shredded_at  INTEGER,
    CHECK ((wrapped IS NULL) = (shredded_at IS NOT NULL))
);

ALTER TABLE operations ADD COLUMN closed_at INTEGER;

ALTER TABLE households ADD COLUMN sealed BLOB;
ALTER TABLE households ADD COLUMN phone_index BLOB;
ALTER TABLE people ADD COLUMN sealed BLOB;
ALTER TABLE people ADD COLUMN phone_index BLOB;
ALTER TABLE people ADD COLUMN name_index BLOB;
ALTER TABLE documents ADD COLUMN sealed BLOB;
ALTER TABLE documents ADD COLUMN number_index BLOB;
