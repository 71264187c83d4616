-- Reads of cases counted per user and minute, in the database every server shares, so that
-- the limit on reading cases (serve --lookups-per-minute) holds for the whole deployment and
-- not for each server apart (sql/case_reads.rs). Rows older than the minute before are
-- deleted as the user reads on.
CREATE TABLE case_reads (
    user_id BIGINT NOT NULL,
    minute  BIGINT NOT NULL,
    reads   INTEGER NOT NULL,
    PRIMARY KEY (user_id, minute)
);
