CREATE TABLE "resident_count_deltas" (
	"community_id" uuid NOT NULL,
	"id" uuid DEFAULT uuid_v7() NOT NULL,
	"records" bigint DEFAULT 0 NOT NULL,
	"local" bigint DEFAULT 0 NOT NULL,
	"local_health" bigint DEFAULT 0 NOT NULL,
	"disabled" bigint DEFAULT 0 NOT NULL,
	"disabled_graded" bigint DEFAULT 0 NOT NULL,
	"veteran" bigint DEFAULT 0 NOT NULL,
	"special" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "resident_count_deltas_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
-- Counts of active residents per community for the evaluation measures (registry/measures.ts;
-- `003` L2P5 health records, L2P8 disability, L2P9 veterans, L3P5 special groups), kept by statement
-- triggers: each writing statement adds one delta row per community it touched (insert-only, so
-- concurrent writers never wait on a counter), in its own transaction. The filters here are the only
-- definition of what each count means.
CREATE FUNCTION resident_counts_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM resident_count_deltas;
    RETURN NULL;
  END IF;
  src := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS s, community_id, status, hukou, tags, disability_grade FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT -1 AS s, community_id, status, hukou, tags, disability_grade FROM old_rows'
    ELSE 'SELECT 1 AS s, community_id, status, hukou, tags, disability_grade FROM new_rows
          UNION ALL SELECT -1, community_id, status, hukou, tags, disability_grade FROM old_rows'
  END;
  EXECUTE 'WITH d AS (
      SELECT community_id, sum(s) AS records,
             coalesce(sum(s) FILTER (WHERE hukou = ''local''), 0) AS local,
             coalesce(sum(s) FILTER (WHERE hukou = ''local'' AND ''health_record'' = ANY(tags)), 0) AS local_health,
             coalesce(sum(s) FILTER (WHERE ''disabled'' = ANY(tags)), 0) AS disabled,
             coalesce(sum(s) FILTER (WHERE ''disabled'' = ANY(tags) AND disability_grade IS NOT NULL), 0) AS disabled_graded,
             coalesce(sum(s) FILTER (WHERE ''veteran'' = ANY(tags)), 0) AS veteran,
             coalesce(sum(s) FILTER (WHERE tags && ARRAY[''community_correction'', ''mental_disorder'', ''released_prisoner'',
                                                   ''drug_rehab'', ''petitioner'', ''idle_youth'']::text[]), 0) AS special
        FROM (' || src || ') r WHERE status = ''active'' GROUP BY community_id)
    INSERT INTO resident_count_deltas (community_id, records, local, local_health, disabled, disabled_graded, veteran, special)
    SELECT * FROM d WHERE (records, local, local_health, disabled, disabled_graded, veteran, special) <> (0, 0, 0, 0, 0, 0, 0)';
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER residents_counts_insert AFTER INSERT ON residents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_counts_delta();
--> statement-breakpoint
CREATE TRIGGER residents_counts_update AFTER UPDATE ON residents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_counts_delta();
--> statement-breakpoint
CREATE TRIGGER residents_counts_delete AFTER DELETE ON residents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_counts_delta();
--> statement-breakpoint
CREATE TRIGGER residents_counts_truncate AFTER TRUNCATE ON residents
  FOR EACH STATEMENT EXECUTE FUNCTION resident_counts_delta();
--> statement-breakpoint
-- The residents already registered.
INSERT INTO resident_count_deltas (community_id, records, local, local_health, disabled, disabled_graded, veteran, special)
SELECT community_id, count(*),
       count(*) FILTER (WHERE hukou = 'local'),
       count(*) FILTER (WHERE hukou = 'local' AND 'health_record' = ANY(tags)),
       count(*) FILTER (WHERE 'disabled' = ANY(tags)),
       count(*) FILTER (WHERE 'disabled' = ANY(tags) AND disability_grade IS NOT NULL),
       count(*) FILTER (WHERE 'veteran' = ANY(tags)),
       count(*) FILTER (WHERE tags && ARRAY['community_correction', 'mental_disorder', 'released_prisoner',
                                            'drug_rehab', 'petitioner', 'idle_youth']::text[])
  FROM residents WHERE status = 'active' GROUP BY community_id;
