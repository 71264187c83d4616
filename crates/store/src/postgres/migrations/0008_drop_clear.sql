-- The sealed columns become required (SQLite rebuilt the tables with them required).
ALTER TABLE households ALTER COLUMN sealed SET NOT NULL;
ALTER TABLE people ALTER COLUMN sealed SET NOT NULL;
ALTER TABLE documents ALTER COLUMN sealed SET NOT NULL;
