-- Pass links (issue 17): the link sent by message to a household, which opens its pass page
-- with no account. The link carries a random token of 160 bits, shown once, in the message;
-- only its SHA-256 digest is kept here. A link opens its pass only while that pass is valid
-- (a revoked or superseded pass closes its link) and until the pass's own expiry.
CREATE TABLE pass_links (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    pass_index   INTEGER NOT NULL,
    digest       BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (operation_id, pass_index) REFERENCES passes(operation_id, pass_index)
);
CREATE INDEX pass_links_household ON pass_links (household_id);
