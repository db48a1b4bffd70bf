ALTER TABLE "itineraries" ADD COLUMN "client_key" text;--> statement-breakpoint
CREATE INDEX "itineraries_client_created_idx" ON "itineraries" USING btree ("client_key","created_at");