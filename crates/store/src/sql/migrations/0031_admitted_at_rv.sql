-- Households admitted at their RV, by window: the custody sweep reads them every few seconds,
-- over every operation, for those whose departure was not reported an hour after their
-- window closed (sql/custody.rs, a `not_departed` incident). Few households stand there at a
-- time; the index holds only them.
CREATE INDEX households_admitted_at_rv ON households (window_id) WHERE stage = 'admitted_at_rv';
