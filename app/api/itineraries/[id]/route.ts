import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import type { ItineraryRow } from "@/lib/db/schema";
import { etagOf, matchesIfNoneMatch } from "@/lib/api/conditional";
import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { anyDayRevising } from "@/lib/domain/revision";
import { deleteItinerary } from "@/lib/itineraries/commands";
import { requireItinerary, requireItineraryRow } from "@/lib/itineraries/reads";

type Context = { params: Promise<{ id: string }> };

function resourceHeaders(job: ItineraryRow): Headers {
  const headers = new Headers({ ETag: etagOf(job), "Cache-Control": "no-cache" });
  // Worth asking again soon while the job runs or one of its days is being rewritten.
  if (job.status === "processing" || anyDayRevising(job.dayStates)) headers.set("Retry-After", String(POLL_AFTER_SECONDS));
  return headers;
}

// GET /api/itineraries/{id} – the job: status, progress, days so far, result or error
export async function GET(request: Request, { params }: Context) {
  try {
    const id = (await params).id;
    // A poller sending its ETag usually gets a 304, which needs only the row; everyone else
    // gets the row and its days together, in one read.
    const row = request.headers.has("if-none-match") ? await requireItineraryRow(id) : null;
    if (row && matchesIfNoneMatch(request, etagOf(row))) {
      return new Response(null, { status: 304, headers: resourceHeaders(row) });
    }
    const { job, days } = await requireItinerary(id);
    return Response.json(presentItinerary(job, days), { headers: resourceHeaders(job) });
  } catch (error) {
    return errorResponse(error);
  }
}

// DELETE /api/itineraries/{id} – the owner removes the job, its days and steps (a running job is stopped)
export async function DELETE(request: Request, { params }: Context) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    await deleteItinerary((await params).id, caller);
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error);
  }
}
