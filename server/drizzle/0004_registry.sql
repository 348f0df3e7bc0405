CREATE TABLE "buildings" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"grid_id" uuid,
	"compound" text DEFAULT '' NOT NULL,
	"road" text DEFAULT '' NOT NULL,
	"number" text NOT NULL,
	"floors" smallint,
	"use" text DEFAULT 'residential' NOT NULL,
	"built_year" smallint,
	"lng" double precision,
	"lat" double precision,
	"plate_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "buildings_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "buildings_number_key" UNIQUE("community_id","compound","number"),
	CONSTRAINT "buildings_plate_key" UNIQUE("community_id","plate_code")
);
--> statement-breakpoint
CREATE TABLE "residencies" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"room_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"household_head" boolean DEFAULT false NOT NULL,
	"moved_in_on" date,
	"moved_out_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "residencies_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"grid_id" uuid,
	"name" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"name_initials" text NOT NULL,
	"gender" text,
	"birth_date" date,
	"id_type" text NOT NULL,
	"id_number_enc" "bytea" NOT NULL,
	"id_number_index" text NOT NULL,
	"id_number_masked" text NOT NULL,
	"phone_enc" "bytea",
	"phone_index" text,
	"phone_masked" text,
	"hukou" text DEFAULT 'local' NOT NULL,
	"hukou_address" text,
	"status" text DEFAULT 'active' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"disability_grade" smallint,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "residents_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "residents_id_number_key" UNIQUE("community_id","id_number_index")
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"unit_id" uuid,
	"floor" smallint,
	"number" text NOT NULL,
	"area" numeric(10, 2),
	"use" text DEFAULT 'residential' NOT NULL,
	"address" text NOT NULL,
	"plate_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rooms_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "rooms_address_key" UNIQUE("community_id","address"),
	CONSTRAINT "rooms_plate_key" UNIQUE("community_id","plate_code")
);
--> statement-breakpoint
CREATE TABLE "building_units" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"number" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "building_units_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "building_units_number_key" UNIQUE("community_id","building_id","number")
);
--> statement-breakpoint
CREATE INDEX "buildings_id_idx" ON "buildings" USING btree ("id");--> statement-breakpoint
CREATE INDEX "buildings_grid_idx" ON "buildings" USING btree ("community_id","grid_id");--> statement-breakpoint
CREATE INDEX "residencies_room_idx" ON "residencies" USING btree ("community_id","room_id");--> statement-breakpoint
CREATE INDEX "residencies_id_idx" ON "residencies" USING btree ("id");--> statement-breakpoint
CREATE INDEX "residencies_resident_idx" ON "residencies" USING btree ("community_id","resident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "residencies_current_key" ON "residencies" USING btree ("community_id","resident_id","room_id","relation") WHERE "residencies"."moved_out_on" is null;--> statement-breakpoint
CREATE INDEX "residents_phone_idx" ON "residents" USING btree ("community_id","phone_index");--> statement-breakpoint
CREATE INDEX "residents_id_idx" ON "residents" USING btree ("id");--> statement-breakpoint
CREATE INDEX "residents_grid_idx" ON "residents" USING btree ("community_id","grid_id");--> statement-breakpoint
CREATE INDEX "residents_name_trgm_idx" ON "residents" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "residents_initials_idx" ON "residents" USING btree ("community_id","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "residents_pinyin_idx" ON "residents" USING btree ("community_id","name_pinyin" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "residents_tags_idx" ON "residents" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "rooms_building_idx" ON "rooms" USING btree ("community_id","building_id");--> statement-breakpoint
CREATE INDEX "rooms_id_idx" ON "rooms" USING btree ("id");--> statement-breakpoint
CREATE INDEX "rooms_address_trgm_idx" ON "rooms" USING gin ("address" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "building_units_id_idx" ON "building_units" USING btree ("id");