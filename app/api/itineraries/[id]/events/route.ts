import { itineraryEventStream, SSE_HEADERS } from "@/lib/api/events";
import { errorResponse } from "@/lib/api/http";
import { requireItineraryRow } from "@/lib/itineraries/reads";

export const dynamic = "force-dynamic";

// GET /api/itineraries/{id}/events – Server-Sent Events: a snapshot on every change until the job ends
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const job = await requireItineraryRow((await params).id);
    const stream = itineraryEventStream(job, {
      lastEventId: request.headers.get("last-event-id"),
      signal: request.signal,
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    return errorResponse(error);
  }
}
