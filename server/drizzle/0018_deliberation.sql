CREATE TABLE "consultation_comments" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"consultation_id" uuid NOT NULL,
	"author_user_id" uuid NOT NULL,
	"author_name" text NOT NULL,
	"author_kind" text NOT NULL,
	"text" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consultation_comments_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "consultation_meetings" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"consultation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"place" text DEFAULT '' NOT NULL,
	"attendees_count" integer NOT NULL,
	"minutes" text NOT NULL,
	"attendees" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"recorded_by" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consultation_meetings_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "consultation_steps" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"consultation_id" uuid NOT NULL,
	"step" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"text" text,
	"reason" text,
	"meeting" jsonb,
	CONSTRAINT "consultation_steps_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "consultations" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"proposer_user_id" uuid,
	"proposer_resident_id" uuid,
	"proposer_name" text NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"plan" text,
	"rules" text,
	"opinions" text,
	"result" text,
	"reject_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consultations_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "decision_items" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"chain" jsonb NOT NULL,
	"current_stage" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'in_progress' NOT NULL,
	"stage_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "decision_items_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "decision_objections" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"stage_index" integer NOT NULL,
	"text" text NOT NULL,
	"filed_by_user_id" uuid,
	"filed_by_name" text NOT NULL,
	"filed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"answer" text,
	"answered_by" text,
	"answered_at" timestamp with time zone,
	CONSTRAINT "decision_objections_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "decision_steps" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"stage_index" integer NOT NULL,
	"stage_key" text NOT NULL,
	"kind" text NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "decision_steps_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "democracy_notifications" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"consultation_id" uuid NOT NULL,
	"recipient_user_id" uuid,
	"recipient_name" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "democracy_notifications_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "consultation_comments_consultation_idx" ON "consultation_comments" USING btree ("community_id","consultation_id","at");--> statement-breakpoint
CREATE INDEX "consultation_meetings_consultation_idx" ON "consultation_meetings" USING btree ("community_id","consultation_id");--> statement-breakpoint
CREATE INDEX "consultation_steps_consultation_idx" ON "consultation_steps" USING btree ("community_id","consultation_id","at");--> statement-breakpoint
CREATE INDEX "consultations_id_idx" ON "consultations" USING btree ("id");--> statement-breakpoint
CREATE INDEX "consultations_status_idx" ON "consultations" USING btree ("community_id","status");--> statement-breakpoint
CREATE INDEX "decision_items_id_idx" ON "decision_items" USING btree ("id");--> statement-breakpoint
CREATE INDEX "decision_items_status_idx" ON "decision_items" USING btree ("community_id","status");--> statement-breakpoint
CREATE INDEX "decision_objections_item_idx" ON "decision_objections" USING btree ("community_id","item_id");--> statement-breakpoint
CREATE INDEX "decision_steps_item_idx" ON "decision_steps" USING btree ("community_id","item_id","at");--> statement-breakpoint
CREATE INDEX "democracy_notifications_recipient_idx" ON "democracy_notifications" USING btree ("recipient_user_id","created_at");--> statement-breakpoint
-- Steps, stage completions, comments and meeting records are who did what and when (`004` 5.2.2, 5.2.3): never changed or removed.
CREATE TRIGGER "consultation_steps_append_only" BEFORE UPDATE OR DELETE ON "consultation_steps"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "consultation_comments_append_only" BEFORE UPDATE OR DELETE ON "consultation_comments"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "consultation_meetings_append_only" BEFORE UPDATE OR DELETE ON "consultation_meetings"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "decision_steps_append_only" BEFORE UPDATE OR DELETE ON "decision_steps"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
