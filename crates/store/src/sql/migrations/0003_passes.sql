-- Pass keys and issued passes. Secrets are stored only wrapped under the key encryption key,
-- which is never in the database.

CREATE TABLE pass_keys (
    operation_id   BIGINT NOT NULL REFERENCES operations(id),
    kid            BYTEA NOT NULL CHECK (octet_length(kid) = 4),
    public_key     BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
    wrapped_secret BYTEA NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'retired', 'compromised')),
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (operation_id, kid)
);
-- One signing key at a time per operation.
CREATE UNIQUE INDEX pass_keys_one_active ON pass_keys (operation_id) WHERE status = 'active';

CREATE TABLE tier_keys (
    operation_id   BIGINT NOT NULL REFERENCES operations(id),
    tier           TEXT NOT NULL CHECK (tier IN ('checkpoint', 'gate')),
    wrapped_secret BYTEA NOT NULL,
    PRIMARY KEY (operation_id, tier)
);

CREATE TABLE passes (
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    pass_index   BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    kid          BYTEA NOT NULL,
    signed       BYTEA NOT NULL,
    issued_at    BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    PRIMARY KEY (operation_id, pass_index)
);
CREATE INDEX passes_household ON passes (household_id);
CREATE INDEX passes_kid ON passes (operation_id, kid);
-- A household holds at most one valid pass.
CREATE UNIQUE INDEX passes_one_valid ON passes (household_id) WHERE status = 'valid';
