-- The coordinators' list of cases in one stage, paged by reference (keyset paging): one index
-- walk per page at any size of operation.
CREATE INDEX households_stage_reference ON households (operation_id, stage, reference);
