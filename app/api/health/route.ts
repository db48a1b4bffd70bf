import { errorResponse } from "@/lib/api/http";
import { checkHealth } from "@/lib/api/health";

// GET /api/health – is the database reachable, which runner and model are in use
export async function GET() {
  try {
    const health = await checkHealth();
    return Response.json(health, {
      status: health.status === "ok" ? 200 : 503,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
