-- The lifecycle foundation: operations, users, cases, places, movements.

CREATE TABLE operations (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    next_pass_index INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    UNIQUE (operation_id, name)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    created_at      INTEGER NOT NULL
);

CREATE TABLE user_roles (
    user_id      INTEGER NOT NULL REFERENCES users(id),
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    role         TEXT NOT NULL,
    PRIMARY KEY (user_id, operation_id, role)
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE rvs (
    id                    INTEGER PRIMARY KEY,
    operation_id          INTEGER NOT NULL REFERENCES operations(id),
    name                  TEXT NOT NULL,
    lat                   REAL NOT NULL,
    lon                   REAL NOT NULL,
    landmark              TEXT NOT NULL,
    status                TEXT NOT NULL,
    accepted_by_authority INTEGER NOT NULL,
    accepted_by_escort    INTEGER NOT NULL
);

CREATE TABLE gates (
    id                INTEGER PRIMARY KEY,
    operation_id      INTEGER NOT NULL REFERENCES operations(id),
    name              TEXT NOT NULL,
    lat               REAL NOT NULL,
    lon               REAL NOT NULL,
    kind              TEXT NOT NULL,
    hourly_throughput INTEGER NOT NULL,
    status            TEXT NOT NULL
);

CREATE TABLE gate_rvs (
    gate_id INTEGER NOT NULL REFERENCES gates(id),
    rv_id   INTEGER NOT NULL REFERENCES rvs(id),
    PRIMARY KEY (gate_id, rv_id)
);

CREATE TABLE windows (
    id              INTEGER PRIMARY KEY,
    operation_id    INTEGER NOT NULL REFERENCES operations(id),
    rv_id           INTEGER NOT NULL REFERENCES rvs(id),
    start_at        INTEGER NOT NULL,
    end_at          INTEGER NOT NULL,
    capacity        INTEGER NOT NULL,
    assigned_people INTEGER NOT NULL DEFAULT 0 CHECK (assigned_people >= 0),
    CHECK (assigned_people <= capacity)
);

CREATE TABLE flights (
    id                INTEGER PRIMARY KEY,
    operation_id      INTEGER NOT NULL REFERENCES operations(id),
    number            TEXT NOT NULL,
    departs_at        INTEGER NOT NULL,
    capacity          INTEGER NOT NULL,
    manifested_people INTEGER NOT NULL DEFAULT 0 CHECK (manifested_people <= capacity),
    boarded_people    INTEGER NOT NULL DEFAULT 0 CHECK (boarded_people <= manifested_people)
);

CREATE TABLE batches (
    id              INTEGER PRIMARY KEY,
    operation_id    INTEGER NOT NULL REFERENCES operations(id),
    rv_id           INTEGER NOT NULL REFERENCES rvs(id),
    gate_id         INTEGER NOT NULL REFERENCES gates(id),
    households      INTEGER NOT NULL,
    departed_people INTEGER NOT NULL,
    arrived_people  INTEGER NOT NULL DEFAULT 0,
    departed_at     INTEGER NOT NULL,
    closed_at       INTEGER
);

CREATE TABLE hazards (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    radius_m     INTEGER NOT NULL,
    description  TEXT,
    valid_from   INTEGER NOT NULL,
    valid_until  INTEGER
);

CREATE TABLE households (
    id            INTEGER PRIMARY KEY,
    operation_id  INTEGER NOT NULL REFERENCES operations(id),
    reference     TEXT NOT NULL UNIQUE,
    stage         TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    contact_phone TEXT,
    language      TEXT NOT NULL,
    category      TEXT,
    priorities    TEXT NOT NULL DEFAULT '',
    notes         TEXT,
    window_id     INTEGER REFERENCES windows(id),
    rv_id         INTEGER REFERENCES rvs(id),
    gate_id       INTEGER REFERENCES gates(id),
    batch_id      INTEGER REFERENCES batches(id),
    flight_id     INTEGER REFERENCES flights(id),
    pass_index    INTEGER,
    version       INTEGER NOT NULL DEFAULT 0,
    registered_at INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX households_contact_phone ON households (operation_id, contact_phone);
CREATE INDEX households_batch ON households (batch_id);
CREATE INDEX households_flight ON households (flight_id);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    name_latin   TEXT NOT NULL,
    name_native  TEXT,
    name_key     TEXT NOT NULL,
    birth_date   TEXT,
    birth_year   INTEGER,
    nationality  TEXT,
    phone        TEXT,
    language     TEXT
);
CREATE INDEX people_household ON people (household_id);
CREATE INDEX people_phone ON people (operation_id, phone);
CREATE INDEX people_name_key ON people (operation_id, name_key, birth_year);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people(id),
    operation_id    INTEGER NOT NULL REFERENCES operations(id),
    doc_type        TEXT NOT NULL,
    number          TEXT NOT NULL,
    issuing_country TEXT,
    expiry          TEXT
);
CREATE INDEX documents_person ON documents (person_id);
CREATE INDEX documents_number ON documents (operation_id, number);

-- Append-only: rows are inserted, never updated or deleted (enforced below).
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    household_id INTEGER REFERENCES households(id),
    kind         TEXT NOT NULL,
    from_stage   TEXT,
    to_stage     TEXT,
    detail       TEXT NOT NULL DEFAULT '{}',
    user_id      INTEGER,
    role         TEXT,
    device       TEXT,
    rv_id        INTEGER,
    gate_id      INTEGER,
    at           INTEGER NOT NULL
);
CREATE INDEX events_household ON events (household_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Maintained in the same transaction as every step. scope: 'operation' (scope_id 0), 'rv', 'gate'.
CREATE TABLE stage_counts (
    operation_id INTEGER NOT NULL,
    scope        TEXT NOT NULL,
    scope_id     INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    households   INTEGER NOT NULL,
    people       INTEGER NOT NULL,
    PRIMARY KEY (operation_id, scope, scope_id, stage)
) WITHOUT ROWID;
