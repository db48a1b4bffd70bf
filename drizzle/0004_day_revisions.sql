CREATE TABLE "itinerary_day_revisions" (
	"itinerary_id" uuid NOT NULL,
	"day" integer NOT NULL,
	"revision" integer NOT NULL,
	"parent" integer,
	"kind" text NOT NULL,
	"instruction" text,
	"plan" jsonb NOT NULL,
	"usage" jsonb,
	"idempotency_key" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "itinerary_day_revisions_itinerary_id_day_revision_pk" PRIMARY KEY("itinerary_id","day","revision"),
	CONSTRAINT "itinerary_day_revisions_kind_check" CHECK ("itinerary_day_revisions"."kind" in ('generated', 'revised', 'removed'))
);
--> statement-breakpoint
ALTER TABLE "itineraries" ADD COLUMN "day_states" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "itinerary_day_revisions" ADD CONSTRAINT "itinerary_day_revisions_itinerary_id_itineraries_id_fk" FOREIGN KEY ("itinerary_id") REFERENCES "public"."itineraries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "itinerary_day_revisions_idempotency_key_idx" ON "itinerary_day_revisions" USING btree ("itinerary_id","idempotency_key") WHERE "itinerary_day_revisions"."idempotency_key" is not null;