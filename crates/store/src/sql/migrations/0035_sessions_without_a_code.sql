-- Hotline operators and manifest officers now sign in with a one-time code
-- (Role::signs_in_with_a_code). A session one of them opened with a password alone, before,
-- ends here: they sign in again, with a code, once an authenticator is enrolled.
DELETE FROM sessions WHERE user_id IN (
    SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id
    WHERE r.role IN ('hotline', 'manifest') AND u.totp_wrapped IS NULL
);
