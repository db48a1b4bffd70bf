import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { retryItinerary } from "@/lib/itineraries/lifecycle";
import { presentItinerary } from "@/lib/itineraries/presenter";
import { loadDays } from "@/lib/itineraries/service";

// POST /api/itineraries/{id}/retry – start a failed or cancelled job again, keeping finished days
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const job = await retryItinerary((await params).id);
    return Response.json(presentItinerary(job, await loadDays(job)), {
      status: 202,
      headers: { "Retry-After": String(POLL_AFTER_SECONDS) },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
