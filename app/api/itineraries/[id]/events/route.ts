import { identifyCaller } from "@/lib/api/caller";
import { itineraryEventStream, SSE_HEADERS } from "@/lib/api/events";
import { errorResponse } from "@/lib/api/http";
import { takeStreamSlot } from "@/lib/api/stream-slots";
import { requireItineraryRow } from "@/lib/itineraries/reads";

export const dynamic = "force-dynamic";

// GET /api/itineraries/{id}/events – Server-Sent Events: a snapshot on every change until the job ends
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const caller = await identifyCaller(request.headers);
    const job = await requireItineraryRow((await params).id);
    // 429 past the per-client or per-process cap; the slot is freed when the stream ends.
    const release = takeStreamSlot(caller.clientKey);
    const stream = itineraryEventStream(job, {
      lastEventId: request.headers.get("last-event-id"),
      signal: request.signal,
      onClose: release,
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    return errorResponse(error);
  }
}
