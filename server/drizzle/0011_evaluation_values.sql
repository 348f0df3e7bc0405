CREATE TABLE "evaluation_values" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"framework" text NOT NULL,
	"criterion" text NOT NULL,
	"version" integer NOT NULL,
	"value" double precision NOT NULL,
	"numerator" double precision,
	"denominator" double precision,
	"source" text NOT NULL,
	"reference_date" date NOT NULL,
	"quality" text NOT NULL,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text,
	"entered_by" uuid,
	"entered_by_name" text,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_values_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "evaluation_values_version_key" UNIQUE("community_id","framework","criterion","version")
);
--> statement-breakpoint
CREATE INDEX "evaluation_values_id_idx" ON "evaluation_values" USING btree ("id");--> statement-breakpoint
-- Entered values are versions: a correction is a new version, never an edit (issue 4 §4).
CREATE FUNCTION "evaluation_values_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: add a new row instead', TG_TABLE_NAME;
END $$;--> statement-breakpoint
CREATE TRIGGER "evaluation_values_append_only" BEFORE UPDATE OR DELETE ON "evaluation_values"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
