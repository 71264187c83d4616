-- Pass keys and issued passes. Secrets are stored only wrapped under the key encryption key,
-- which is never in the database.

CREATE TABLE pass_keys (
    operation_id   INTEGER NOT NULL REFERENCES operations(id),
    kid            BLOB NOT NULL CHECK (length(kid) = 4),
    public_key     BLOB NOT NULL CHECK (length(public_key) = 32),
    wrapped_secret BLOB NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'retired', 'compromised')),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (operation_id, kid)
);
-- One signing key at a time per operation.
CREATE UNIQUE INDEX pass_keys_one_active ON pass_keys (operation_id) WHERE status = 'active';

CREATE TABLE tier_keys (
    operation_id   INTEGER NOT NULL REFERENCES operations(id),
    tier           TEXT NOT NULL CHECK (tier IN ('checkpoint', 'gate')),
    wrapped_secret BLOB NOT NULL,
    PRIMARY KEY (operation_id, tier)
);

CREATE TABLE passes (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    pass_index   INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    kid          BLOB NOT NULL,
    signed       BLOB NOT NULL,
    issued_at    INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    PRIMARY KEY (operation_id, pass_index)
);
CREATE INDEX passes_household ON passes (household_id);
CREATE INDEX passes_kid ON passes (operation_id, kid);
-- A household holds at most one valid pass.
CREATE UNIQUE INDEX passes_one_valid ON passes (household_id) WHERE status = 'valid';
