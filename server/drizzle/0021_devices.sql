CREATE TABLE "alarm_comments" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"alarm_id" uuid NOT NULL,
	"author" text NOT NULL,
	"kind" text DEFAULT 'comment' NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alarm_comments_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"type" text NOT NULL,
	"label" text NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"acknowledged" boolean DEFAULT false NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"arrived_by" text,
	"assignee_id" uuid,
	"assignee_name" text,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"value" jsonb,
	"cleared_at" timestamp with time zone,
	"grid_id" uuid,
	"building_id" uuid,
	"grid_event_id" uuid,
	CONSTRAINT "alarms_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "device_latest" (
	"community_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	CONSTRAINT "device_latest_community_id_device_id_key_pk" PRIMARY KEY("community_id","device_id","key")
);
--> statement-breakpoint
CREATE TABLE "device_rule_state" (
	"community_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"state" jsonb NOT NULL,
	CONSTRAINT "device_rule_state_community_id_device_id_rule_id_pk" PRIMARY KEY("community_id","device_id","rule_id")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"grid_id" uuid,
	"building_id" uuid,
	"room_id" uuid,
	"address" text,
	"lng" double precision,
	"lat" double precision,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secret_hash" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"resident_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	CONSTRAINT "devices_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE INDEX "alarm_comments_alarm_idx" ON "alarm_comments" USING btree ("community_id","alarm_id","at");--> statement-breakpoint
CREATE INDEX "alarms_id_idx" ON "alarms" USING btree ("id");--> statement-breakpoint
CREATE INDEX "alarms_list_idx" ON "alarms" USING btree ("community_id","status","last_at");--> statement-breakpoint
CREATE UNIQUE INDEX "alarms_one_active_key" ON "alarms" USING btree ("community_id","device_id","type") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "devices_id_idx" ON "devices" USING btree ("id");--> statement-breakpoint
CREATE INDEX "devices_type_idx" ON "devices" USING btree ("community_id","type");--> statement-breakpoint
CREATE INDEX "devices_building_idx" ON "devices" USING btree ("community_id","building_id");--> statement-breakpoint
-- Telemetry, partitioned by day on ts (issue 7 §3): a partition per day is created ahead by
-- telemetry_ensure_partitions (at start and daily), old ones are dropped for retention, and a default
-- partition takes any sample outside the prepared days.
CREATE TABLE "telemetry" (
	"community_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"key" text NOT NULL,
	"value" double precision,
	"text_value" text,
	CONSTRAINT "telemetry_pk" PRIMARY KEY ("community_id", "device_id", "key", "ts")
) PARTITION BY RANGE ("ts");--> statement-breakpoint
CREATE TABLE "telemetry_default" PARTITION OF "telemetry" DEFAULT;--> statement-breakpoint
CREATE FUNCTION "telemetry_ensure_partitions"(days_back int, days_ahead int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  d date;
  made int := 0;
  name text;
BEGIN
  FOR d IN SELECT generate_series(current_date - days_back, current_date + days_ahead, interval '1 day')::date LOOP
    name := 'telemetry_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      -- Rows already in the default partition for that day would block the new partition: move them.
      EXECUTE format('CREATE TABLE %I (LIKE telemetry INCLUDING DEFAULTS)', name);
      EXECUTE format('WITH moved AS (DELETE FROM telemetry_default WHERE ts >= %L AND ts < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
        d, d + 1, name);
      EXECUTE format('ALTER TABLE telemetry ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, d, d + 1);
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END $$;--> statement-breakpoint
SELECT telemetry_ensure_partitions(1, 7);
