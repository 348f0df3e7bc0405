CREATE TABLE "facilities" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"grid_id" uuid,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"building_id" uuid,
	"location" text,
	"lng" double precision,
	"lat" double precision,
	"capacity" integer,
	"status" text DEFAULT 'in_service' NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "facilities_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "facilities_name_key" UNIQUE("community_id","kind","name")
);
--> statement-breakpoint
CREATE INDEX "facilities_id_idx" ON "facilities" USING btree ("id");--> statement-breakpoint
CREATE INDEX "facilities_kind_idx" ON "facilities" USING btree ("community_id","kind");