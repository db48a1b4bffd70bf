import { livenessAnswer } from "@/lib/api/health";

// GET /api/health/live – liveness: the server process answers (no database, no model)
export function GET() {
  return Response.json(livenessAnswer(), { headers: { "Cache-Control": "no-store" } });
}
