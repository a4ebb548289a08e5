ALTER TABLE "api_tokens" ADD COLUMN "node_scope" jsonb;--> statement-breakpoint
ALTER TABLE "guest_links" ADD COLUMN "node_scope" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "node_scope" jsonb;