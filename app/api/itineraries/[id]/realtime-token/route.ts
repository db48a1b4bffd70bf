import { errorResponse } from "@/lib/api/http";
import { realtimeTokenFor } from "@/lib/jobs/live-relay";
import { requireItineraryRow } from "@/lib/itineraries/reads";

export const dynamic = "force-dynamic";

// GET /api/itineraries/{id}/realtime-token – an Inngest Realtime subscription token for the
// job's channel. Whoever may read the job (GET /api/itineraries/{id}: anyone holding its id)
// may have one; 404 for an unknown id, 409 on the local runner.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const job = await requireItineraryRow((await params).id);
    return Response.json(await realtimeTokenFor(job.id), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
