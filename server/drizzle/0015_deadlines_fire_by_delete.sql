-- Deadlines are deleted in the transaction that fires them: the table holds only pending ones.
DROP INDEX "deadlines_due_idx";--> statement-breakpoint
CREATE INDEX "deadlines_due_idx" ON "deadlines" USING btree ("due_at");--> statement-breakpoint
ALTER TABLE "deadlines" DROP COLUMN "fired_at";--> statement-breakpoint
-- Room on each page for updated row versions, so the deadline worker's flag updates (no indexed column
-- changes) are heap-only: no entry in any of the table's indexes (measured in npm run bench, grid section).
ALTER TABLE "grid_events" SET (fillfactor = 80);
