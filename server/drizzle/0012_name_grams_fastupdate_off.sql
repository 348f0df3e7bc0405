-- Name index entries go straight into the index (no pending list to scan on every search after a
-- bulk import); the entries already pending are merged now. Same end state as drizzle-kit's
-- DROP + CREATE … WITH (fastupdate=false), without rebuilding the index.
ALTER INDEX "residents_name_grams_idx" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('residents_name_grams_idx');
