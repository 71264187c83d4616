-- When each pass expires (its clear tier's `expires`): the status list leaves out passes that
-- expired over two days before it was signed, which every reader refuses by their own expiry, so
-- that its revoked bits do not pile up into a count of the passes ever issued. Passes issued
-- before hold none and stay on the list.
ALTER TABLE passes ADD COLUMN expires_at BIGINT;
