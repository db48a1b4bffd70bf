import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { presentItinerary } from "@/lib/itineraries/presenter";
import { requireItinerary } from "@/lib/itineraries/service";

// GET /api/itineraries/{id} – the job: status, progress, days so far, result or error
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const { job, days } = await requireItinerary(id);
    const headers = new Headers({ "Cache-Control": "no-store" });
    if (job.status === "processing") headers.set("Retry-After", String(POLL_AFTER_SECONDS));
    return Response.json(presentItinerary(job, days), { headers });
  } catch (error) {
    return errorResponse(error);
  }
}
