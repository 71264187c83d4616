-- Maintained counts spread over shards (see COUNT_SHARDS in sql/cases.rs): writers of
-- different cases no longer queue for one row per stage. Existing counts become shard 0.
CREATE TABLE stage_counts_sharded (
    operation_id INTEGER NOT NULL,
    scope        TEXT NOT NULL,
    scope_id     INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    shard        INTEGER NOT NULL DEFAULT 0,
    households   INTEGER NOT NULL,
    people       INTEGER NOT NULL,
    PRIMARY KEY (operation_id, scope, scope_id, stage, shard)
) WITHOUT ROWID;
INSERT INTO stage_counts_sharded (operation_id, scope, scope_id, stage, shard, households, people)
    SELECT operation_id, scope, scope_id, stage, 0, households, people FROM stage_counts;
DROP TABLE stage_counts;
ALTER TABLE stage_counts_sharded RENAME TO stage_counts;
