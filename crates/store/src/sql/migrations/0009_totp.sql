-- The second factor: each user's TOTP secret, wrapped under the key file's key, and the last
-- time step a code was accepted for (a step is accepted once, on every server).
ALTER TABLE users ADD COLUMN totp_wrapped BYTEA;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
