-- Whether a member may have been a minor when registered. A minor without a document of their
-- own is covered by a documented adult of the household (a child listed on a parent's
-- passport). The date of birth stays sealed; only this flag is kept in clear, because the
-- decision to verify documents is taken in SQL without unsealing anyone.
ALTER TABLE people ADD COLUMN minor BOOLEAN NOT NULL DEFAULT FALSE;
