CREATE TABLE "itineraries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'processing' NOT NULL,
	"destination" text NOT NULL,
	"duration_days" integer NOT NULL,
	"start_date" date,
	"interests" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pace" text NOT NULL,
	"budget" text NOT NULL,
	"travellers" integer NOT NULL,
	"outline" jsonb,
	"itinerary" jsonb,
	"progress" integer DEFAULT 0 NOT NULL,
	"error" text,
	"model" text NOT NULL,
	"usage" jsonb,
	"idempotency_key" text,
	"request_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "itineraries_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "itineraries_status_check" CHECK ("itineraries"."status" in ('processing', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "itineraries_progress_check" CHECK ("itineraries"."progress" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "itinerary_days" (
	"itinerary_id" uuid NOT NULL,
	"day" integer NOT NULL,
	"plan" jsonb NOT NULL,
	"usage" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "itinerary_days_itinerary_id_day_pk" PRIMARY KEY("itinerary_id","day")
);
--> statement-breakpoint
CREATE TABLE "job_steps" (
	"job_id" uuid NOT NULL,
	"step_id" text NOT NULL,
	"output" jsonb,
	"attempts" integer DEFAULT 1 NOT NULL,
	"completed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_steps_job_id_step_id_pk" PRIMARY KEY("job_id","step_id")
);
--> statement-breakpoint
ALTER TABLE "itinerary_days" ADD CONSTRAINT "itinerary_days_itinerary_id_itineraries_id_fk" FOREIGN KEY ("itinerary_id") REFERENCES "public"."itineraries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_steps" ADD CONSTRAINT "job_steps_job_id_itineraries_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."itineraries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "itineraries_created_at_idx" ON "itineraries" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "itineraries_status_idx" ON "itineraries" USING btree ("status");