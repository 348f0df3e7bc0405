CREATE TABLE "vote_ballot_voids" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"ballot_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	CONSTRAINT "vote_ballot_voids_community_id_vote_id_ballot_id_pk" PRIMARY KEY("community_id","vote_id","ballot_id")
);
--> statement-breakpoint
CREATE TABLE "vote_ballots" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"choice" jsonb NOT NULL,
	"receipt_hash" text,
	"channel" text NOT NULL,
	"batch_id" uuid,
	"voter_key" uuid,
	CONSTRAINT "vote_ballots_community_id_vote_id_id_pk" PRIMARY KEY("community_id","vote_id","id")
);
--> statement-breakpoint
CREATE TABLE "vote_paper_batches" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"entered_by" text NOT NULL,
	"entered_by_id" uuid,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ballots" integer NOT NULL,
	"corrects" uuid,
	"reason" text,
	CONSTRAINT "vote_paper_batches_community_id_vote_id_id_pk" PRIMARY KEY("community_id","vote_id","id")
);
--> statement-breakpoint
CREATE TABLE "vote_participation" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"voter_key" uuid NOT NULL,
	"channel" text NOT NULL,
	"recorded_by" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vote_participation_community_id_vote_id_voter_key_pk" PRIMARY KEY("community_id","vote_id","voter_key")
);
--> statement-breakpoint
CREATE TABLE "vote_voters" (
	"community_id" uuid NOT NULL,
	"vote_id" uuid NOT NULL,
	"voter_key" uuid NOT NULL,
	"label" text NOT NULL,
	"area" numeric(12, 2),
	"room_ids" uuid[],
	CONSTRAINT "vote_voters_community_id_vote_id_voter_key_pk" PRIMARY KEY("community_id","vote_id","voter_key")
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"options" jsonb NOT NULL,
	"max_choices" integer,
	"secret" boolean DEFAULT true NOT NULL,
	"eligibility" text NOT NULL,
	"eligibility_params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"matter" text,
	"owner_matter" text,
	"channels" text[] NOT NULL,
	"quorum_percent" numeric(5, 2),
	"pass_percent" numeric(5, 2),
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"eligible_count" integer,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"result" jsonb,
	CONSTRAINT "votes_community_id_id_pk" PRIMARY KEY("community_id","id")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "resident_id" uuid;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "exclusive_area" numeric(10, 2);--> statement-breakpoint
CREATE INDEX "votes_id_idx" ON "votes" USING btree ("id");--> statement-breakpoint
CREATE INDEX "votes_status_idx" ON "votes" USING btree ("community_id","status");--> statement-breakpoint
-- Who took part, what was chosen, paper batches and their corrections are never changed or removed.
CREATE TRIGGER "vote_participation_append_only" BEFORE UPDATE OR DELETE ON "vote_participation"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "vote_ballots_append_only" BEFORE UPDATE OR DELETE ON "vote_ballots"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "vote_paper_batches_append_only" BEFORE UPDATE OR DELETE ON "vote_paper_batches"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();--> statement-breakpoint
CREATE TRIGGER "vote_ballot_voids_append_only" BEFORE UPDATE OR DELETE ON "vote_ballot_voids"
  FOR EACH ROW EXECUTE FUNCTION "evaluation_values_append_only"();
