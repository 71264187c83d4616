-- Runs of failed sign-ins older than the memory of failures are deleted as new names are
-- counted (sql/accounts.rs `forget_old_failures`): found by the time of their last failure,
-- not by reading the whole table under the write lock.
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_failed_at);
