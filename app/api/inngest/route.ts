import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";

// The Inngest endpoint: the dev server and Inngest Cloud call it to run the functions.
export const { GET, POST, PUT } = serve({ client: inngest, functions });

// Seconds Vercel lets one call run: the most its Hobby plan allows (and the default with
// fluid compute). Next reads this statically, so the number is written out; it must equal
// INNGEST_ROUTE_MAX_DURATION_SECONDS in inngest/time-budget.ts (a test checks), which
// keeps the checkpoint budget and LLM_TIMEOUT_MS inside it.
export const maxDuration = 300;
