CREATE TABLE "device_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"region_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"definition" jsonb,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"created_by_id" uuid
);
--> statement-breakpoint
CREATE UNIQUE INDEX "device_rules_version_key" ON "device_rules" USING btree ("region_id","rule_id","version");--> statement-breakpoint
-- Rule versions are history: the database refuses UPDATE and DELETE (a revert is a new version).
CREATE TRIGGER "device_rules_append_only" BEFORE UPDATE OR DELETE ON "device_rules"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
