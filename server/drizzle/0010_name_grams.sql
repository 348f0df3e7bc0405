-- Name search by one- and two-character pieces (registry/model.ts nameGrams) instead of trigrams,
-- which cannot answer the two-character queries most Chinese name searches are. btree_gin puts the
-- community (the caller's scope) into the same GIN index.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "residents_name_trgm_idx";--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "name_grams" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- The pieces of existing names, computed as nameGrams does (NFKC, trimmed, lower-case).
UPDATE "residents" SET "name_grams" = ARRAY(
  SELECT DISTINCT substr(f, i, n)
    FROM (SELECT lower(btrim(normalize("name", NFKC))) AS f) x,
         generate_series(1, char_length(f)) AS i, (VALUES (1), (2)) AS v(n)
   WHERE i + n - 1 <= char_length(f));--> statement-breakpoint
CREATE INDEX "residents_name_grams_idx" ON "residents" USING gin ("community_id","name_grams");
