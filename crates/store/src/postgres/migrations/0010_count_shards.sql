-- Maintained counts spread over shards (see COUNT_SHARDS in sql/cases.rs): writers of
-- different cases no longer queue for one row per stage. Existing counts become shard 0.
ALTER TABLE stage_counts ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stage_counts DROP CONSTRAINT stage_counts_pkey;
ALTER TABLE stage_counts ADD PRIMARY KEY (operation_id, scope, scope_id, stage, shard);
