-- The columns that held personal data in clear go; their contents were sealed just before
-- this migration (sql/upgrade.rs). Exact-match lookups use the blind indexes.

DROP INDEX households_contact_phone;
DROP INDEX people_phone;
DROP INDEX people_name_key;
DROP INDEX documents_number;

ALTER TABLE households DROP COLUMN contact_phone;
ALTER TABLE households DROP COLUMN notes;
ALTER TABLE people DROP COLUMN name_latin;
ALTER TABLE people DROP COLUMN name_native;
ALTER TABLE people DROP COLUMN name_key;
ALTER TABLE people DROP COLUMN birth_date;
ALTER TABLE people DROP COLUMN birth_year;
ALTER TABLE people DROP COLUMN nationality;
ALTER TABLE people DROP COLUMN phone;
ALTER TABLE people DROP COLUMN language;
ALTER TABLE documents DROP COLUMN number;
ALTER TABLE documents DROP COLUMN issuing_country;
ALTER TABLE documents DROP COLUMN expiry;

CREATE INDEX households_phone_index ON households (operation_id, phone_index);
CREATE INDEX people_phone_index ON people (operation_id, phone_index);
CREATE INDEX people_name_index ON people (operation_id, name_index);
CREATE INDEX documents_number_index ON documents (operation_id, number_index);
