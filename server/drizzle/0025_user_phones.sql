ALTER TABLE "users" ADD COLUMN "phone_enc" "bytea";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone_hash" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone_masked" text;