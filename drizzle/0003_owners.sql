CREATE TABLE "app_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "itineraries" DROP CONSTRAINT "itineraries_idempotency_key_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "itineraries_owner_idempotency_key_idx" ON "itineraries" USING btree (coalesce("owner_key", ''),"idempotency_key") WHERE "itineraries"."idempotency_key" is not null;