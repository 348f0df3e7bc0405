-- Only reports left with a phone can be followed by tracking code + phone: index those alone.
DROP INDEX "grid_events_tracking_idx";--> statement-breakpoint
CREATE INDEX "grid_events_tracking_idx" ON "grid_events" USING btree ("tracking_code") WHERE reporter_phone_hash is not null;