CREATE TABLE "evaluation_survey_answers" (
	"community_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"scores" jsonb NOT NULL,
	"comment" text,
	CONSTRAINT "evaluation_survey_answers_community_id_survey_id_id_pk" PRIMARY KEY("community_id","survey_id","id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_survey_respondents" (
	"community_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	CONSTRAINT "evaluation_survey_respondents_community_id_survey_id_resident_id_pk" PRIMARY KEY("community_id","survey_id","resident_id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_surveys" (
	"community_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"framework" text NOT NULL,
	"framework_version" text NOT NULL,
	"period" text NOT NULL,
	"assessment_id" uuid,
	"questions" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_by" text,
	CONSTRAINT "evaluation_surveys_community_id_id_pk" PRIMARY KEY("community_id","id"),
	CONSTRAINT "evaluation_surveys_period_key" UNIQUE("community_id","framework","period")
);
--> statement-breakpoint
CREATE INDEX "evaluation_surveys_id_idx" ON "evaluation_surveys" USING btree ("id");