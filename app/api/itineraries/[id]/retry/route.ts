import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { retryItinerary } from "@/lib/itineraries/commands";

// POST /api/itineraries/{id}/retry – start a failed or cancelled job again, keeping finished days
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { job, days } = await retryItinerary((await params).id);
    return Response.json(presentItinerary(job, days), {
      status: 202,
      headers: { "Retry-After": String(POLL_AFTER_SECONDS) },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
