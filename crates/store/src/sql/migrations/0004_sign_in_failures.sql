-- Failed sign-ins per account name, shared by every server, for the back-off. The name is
-- kept only as a SHA-256 digest: people type passwords into the name field.
CREATE TABLE sign_in_failures (
    name_digest    BYTEA PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL
);
