CREATE TABLE "timeline_entries" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"topic" text NOT NULL,
	"summary" text NOT NULL,
	"event_id" uuid NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "timeline_entries_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "timeline_subject_idx" ON "timeline_entries" USING btree ("community_id","subject_type","subject_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "timeline_event_key" ON "timeline_entries" USING btree ("community_id","event_id","subject_type","subject_id");