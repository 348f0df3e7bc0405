ALTER TABLE "evaluation_assessments" ADD COLUMN "submitted_result" jsonb;--> statement-breakpoint
ALTER TABLE "evaluation_reviews" ADD COLUMN "reviewer_kind" text DEFAULT 'unspecified' NOT NULL;