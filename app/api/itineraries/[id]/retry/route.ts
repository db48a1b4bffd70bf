import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { retryItinerary } from "@/lib/itineraries/commands";

// POST /api/itineraries/{id}/retry – the owner starts a failed or cancelled job again, keeping finished days
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { job, days } = await retryItinerary((await params).id, caller);
    return Response.json(presentItinerary(job, days), {
      status: 202,
      headers: { "Retry-After": String(POLL_AFTER_SECONDS) },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
