import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";

// The Inngest endpoint: the dev server and Inngest Cloud call it to run the functions.
export const { GET, POST, PUT } = serve({ client: inngest, functions });
