CREATE TABLE "election_nominations" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"name" text NOT NULL,
	"statement" text DEFAULT '' NOT NULL,
	"source" text NOT NULL,
	"nominated_by" text NOT NULL,
	"nominated_by_id" uuid,
	"status" text DEFAULT 'nominated' NOT NULL,
	"decided_by" text,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "election_nominations_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "election_nominations_resident_key" UNIQUE("community_id","vote_id","resident_id")
);
--> statement-breakpoint
CREATE TABLE "elections" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"seats" integer NOT NULL,
	"valid_turnout_percent" numeric(5, 2) DEFAULT 50 NOT NULL,
	"elected_percent" numeric(5, 2) DEFAULT 50 NOT NULL,
	"publicity_days" integer DEFAULT 5 NOT NULL,
	"nominations_close_at" timestamp with time zone NOT NULL,
	"candidates_published_at" timestamp with time zone,
	CONSTRAINT "elections_community_id_vote_id_pk" PRIMARY KEY("community_id","vote_id")
);
--> statement-breakpoint
CREATE INDEX "election_nominations_vote_idx" ON "election_nominations" USING btree ("community_id","vote_id");--> statement-breakpoint
CREATE INDEX "election_nominations_id_idx" ON "election_nominations" USING btree ("id");--> statement-breakpoint
CREATE INDEX "elections_vote_idx" ON "elections" USING btree ("vote_id");