CREATE TABLE "organisation_members" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"resident_id" uuid,
	"name" text,
	"position" text DEFAULT '成员' NOT NULL,
	"joined_on" date,
	"left_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisation_members_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"credit_code" text,
	"contact_name" text,
	"contact_phone" text,
	"address" text,
	"established_on" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "organisations_name_key" UNIQUE("community_id","name")
);
--> statement-breakpoint
CREATE INDEX "organisation_members_org_idx" ON "organisation_members" USING btree ("community_id","organisation_id");--> statement-breakpoint
CREATE INDEX "organisation_members_resident_idx" ON "organisation_members" USING btree ("community_id","resident_id");--> statement-breakpoint
CREATE INDEX "organisation_members_id_idx" ON "organisation_members" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "organisation_members_current_key" ON "organisation_members" USING btree ("community_id","organisation_id","resident_id") WHERE "organisation_members"."left_on" is null and "organisation_members"."resident_id" is not null;--> statement-breakpoint
CREATE INDEX "organisations_id_idx" ON "organisations" USING btree ("id");--> statement-breakpoint
CREATE INDEX "organisations_kind_idx" ON "organisations" USING btree ("community_id","kind");