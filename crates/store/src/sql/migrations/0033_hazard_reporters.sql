-- Who reported each hazard, so that the hazards a hotline account holds in force are counted
-- (domain::model::HOTLINE_HAZARDS_IN_FORCE_MAX). Hazards reported before hold none.
ALTER TABLE hazards ADD COLUMN reported_by BIGINT REFERENCES users(id);
