CREATE TABLE "supervision_items" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"period" text NOT NULL,
	"ledger" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"total" numeric(14, 2),
	"published_by" text NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supervision_items_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "supervision_questions" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"item_id" uuid,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"asker_id" uuid,
	"asker_name" text,
	"public" text DEFAULT 'yes' NOT NULL,
	"asked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"answer" text,
	"answered_by" text,
	"answered_at" timestamp with time zone,
	"overdue_at" timestamp with time zone,
	CONSTRAINT "supervision_questions_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "supervision_reviews" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"opinion" text NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"reviewer" text NOT NULL,
	"reviewer_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supervision_reviews_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "supervision_items_id_idx" ON "supervision_items" USING btree ("id");--> statement-breakpoint
CREATE INDEX "supervision_items_kind_idx" ON "supervision_items" USING btree ("community_id","kind");--> statement-breakpoint
CREATE INDEX "supervision_questions_id_idx" ON "supervision_questions" USING btree ("id");--> statement-breakpoint
CREATE INDEX "supervision_questions_item_idx" ON "supervision_questions" USING btree ("community_id","item_id");--> statement-breakpoint
CREATE INDEX "supervision_reviews_item_idx" ON "supervision_reviews" USING btree ("community_id","item_id");--> statement-breakpoint
-- The supervisory committee's opinions are a trail: never changed or removed.
CREATE TRIGGER "supervision_reviews_append_only" BEFORE UPDATE OR DELETE ON "supervision_reviews"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
