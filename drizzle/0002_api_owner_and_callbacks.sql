ALTER TABLE "itineraries" ADD COLUMN "owner_key" text;--> statement-breakpoint
ALTER TABLE "itineraries" ADD COLUMN "callback_url" text;--> statement-breakpoint
CREATE INDEX "itineraries_owner_created_idx" ON "itineraries" USING btree ("owner_key","created_at","id");