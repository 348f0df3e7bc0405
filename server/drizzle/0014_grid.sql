CREATE TABLE "grid_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"parent_code" text,
	"name" text NOT NULL,
	"dispatch_mode" text DEFAULT 'assign' NOT NULL,
	"needs_verification" boolean DEFAULT false NOT NULL,
	"limits" jsonb,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid_event_transitions" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"actor_name" text NOT NULL,
	"reason" text,
	"detail" jsonb,
	"respond_overdue" boolean NOT NULL,
	"handle_overdue" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grid_event_transitions_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "grid_events" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"number" text NOT NULL,
	"tracking_code" text NOT NULL,
	"grid_id" uuid,
	"category_code" text NOT NULL,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"description" text NOT NULL,
	"photos" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"lng" double precision,
	"lat" double precision,
	"building_id" uuid,
	"room_id" uuid,
	"address" text,
	"reporter_kind" text NOT NULL,
	"reporter_user_id" uuid,
	"reporter_name" text,
	"reporter_phone_enc" "bytea",
	"reporter_phone_hash" text,
	"reporter_phone_masked" text,
	"channel" text NOT NULL,
	"partner_id" uuid,
	"device_id" uuid,
	"status" text NOT NULL,
	"suspended_from" text,
	"suspended_at" timestamp with time zone,
	"unit_id" uuid,
	"assignee_id" uuid,
	"assignee_name" text,
	"suggested_unit_id" uuid,
	"merged_into" uuid,
	"handler_note" text,
	"result_photos" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"satisfaction" smallint,
	"rating_comment" text,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"return_count" integer DEFAULT 0 NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone,
	"handled_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"respond_due_at" timestamp with time zone NOT NULL,
	"handle_due_at" timestamp with time zone NOT NULL,
	"handle_allowed_minutes" integer NOT NULL,
	"respond_overdue" boolean DEFAULT false NOT NULL,
	"handle_overdue" boolean DEFAULT false NOT NULL,
	"warned_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grid_events_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "grid_events_number_key" UNIQUE("community_id","number")
);
--> statement-breakpoint
CREATE TABLE "grid_routes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"region_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"category_code" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"retired_at" timestamp with time zone,
	"retired_by" text,
	CONSTRAINT "grid_routes_current_key" UNIQUE NULLS NOT DISTINCT("region_id","category_code","retired_at")
);
--> statement-breakpoint
CREATE TABLE "grid_unit_members" (
	"unit_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"last_assigned_at" timestamp with time zone,
	CONSTRAINT "grid_unit_members_unit_id_user_id_pk" PRIMARY KEY("unit_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "grid_units" (
	"id" uuid PRIMARY KEY NOT NULL,
	"region_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'department' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grid_units_name_key" UNIQUE("region_id","name")
);
--> statement-breakpoint
CREATE TABLE "open311_partners" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "open311_partners_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "work_calendar_days" (
	"day" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"payload" jsonb,
	"fired_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "deadlines_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "grid_event_transitions_event_idx" ON "grid_event_transitions" USING btree ("community_id","event_id","at");--> statement-breakpoint
CREATE INDEX "grid_events_id_idx" ON "grid_events" USING btree ("id");--> statement-breakpoint
CREATE INDEX "grid_events_tracking_idx" ON "grid_events" USING btree ("tracking_code");--> statement-breakpoint
CREATE INDEX "grid_events_status_idx" ON "grid_events" USING btree ("community_id","status","reported_at");--> statement-breakpoint
CREATE INDEX "grid_events_reported_idx" ON "grid_events" USING btree ("community_id","reported_at");--> statement-breakpoint
CREATE INDEX "grid_events_unit_idx" ON "grid_events" USING btree ("unit_id","status");--> statement-breakpoint
CREATE INDEX "grid_events_assignee_idx" ON "grid_events" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "grid_events_reporter_idx" ON "grid_events" USING btree ("reporter_user_id");--> statement-breakpoint
CREATE INDEX "grid_events_dup_idx" ON "grid_events" USING btree ("community_id","category_code","reported_at");--> statement-breakpoint
CREATE INDEX "grid_routes_current_idx" ON "grid_routes" USING btree ("category_code") WHERE retired_at is null;--> statement-breakpoint
CREATE INDEX "grid_unit_members_user_idx" ON "grid_unit_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "deadlines_due_idx" ON "deadlines" USING btree ("due_at") WHERE fired_at is null;--> statement-breakpoint
CREATE INDEX "deadlines_subject_idx" ON "deadlines" USING btree ("community_id","subject_id");--> statement-breakpoint
-- Event numbers (20261203-000123): one sequence for the platform.
CREATE SEQUENCE "grid_event_number_seq";--> statement-breakpoint
-- UUIDv7 (time-ordered) for rows written by set-based SQL (deadline firing); the app makes its own.
CREATE FUNCTION "uuid_v7"() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;--> statement-breakpoint
-- Transitions are the record of who did what and when: never changed or removed.
CREATE TRIGGER "grid_event_transitions_append_only" BEFORE UPDATE OR DELETE ON "grid_event_transitions"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
-- Overdue is frozen: once a deadline has been missed, no later change can hide it.
CREATE FUNCTION "grid_events_keep_overdue"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.respond_overdue AND NOT NEW.respond_overdue) OR (OLD.handle_overdue AND NOT NEW.handle_overdue) THEN
    RAISE EXCEPTION 'grid_events: an overdue flag cannot be cleared' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "grid_events_keep_overdue" BEFORE UPDATE ON "grid_events"
  FOR EACH ROW EXECUTE FUNCTION "grid_events_keep_overdue"();
