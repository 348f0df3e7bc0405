CREATE TABLE "evaluation_assessments" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"framework" text NOT NULL,
	"framework_version" text NOT NULL,
	"period" text NOT NULL,
	"prior_stars" integer,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	"result" jsonb,
	CONSTRAINT "evaluation_assessments_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "evaluation_assessments_period_key" UNIQUE("community_id","framework","period")
);
--> statement-breakpoint
CREATE TABLE "evaluation_reviews" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"assessment_id" uuid NOT NULL,
	"indicator" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"reviewer_id" uuid,
	"reviewer_name" text,
	"reviewed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_reviews_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "evaluation_assessments_id_idx" ON "evaluation_assessments" USING btree ("id");--> statement-breakpoint
CREATE INDEX "evaluation_reviews_assessment_idx" ON "evaluation_reviews" USING btree ("community_id","assessment_id");--> statement-breakpoint
CREATE TRIGGER "evaluation_reviews_append_only" BEFORE UPDATE OR DELETE ON "evaluation_reviews"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
