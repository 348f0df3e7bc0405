-- Name index entries are gathered in a small pending list (256 kB) and merged in sorted runs: a
-- ledger import's inserts cost less than half of entry-by-entry insertion. Searches scan what is
-- pending, so the list stays small and imports merge it as they commit. Same end state as drizzle-kit's
-- DROP + CREATE … WITH (fastupdate=true,gin_pending_list_limit=256), without rebuilding the index.
ALTER INDEX "residents_name_grams_idx" SET (fastupdate = true, gin_pending_list_limit = 256);
