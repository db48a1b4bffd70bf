import { authenticate } from "@/lib/api/auth";
import { etagOf, matchesIfNoneMatch } from "@/lib/api/conditional";
import { errorResponse, POLL_AFTER_SECONDS } from "@/lib/api/http";
import { deleteItinerary } from "@/lib/itineraries/lifecycle";
import { presentItinerary } from "@/lib/itineraries/presenter";
import { loadDays, requireItinerary, requireItineraryRow } from "@/lib/itineraries/service";

type Context = { params: Promise<{ id: string }> };

// GET /api/itineraries/{id} – the job: status, progress, days so far, result or error
export async function GET(request: Request, { params }: Context) {
  try {
    const id = (await params).id;
    // One read either way: a poller sending its ETag usually gets a 304, which needs only
    // the row; everyone else gets the row and its days together.
    const found = request.headers.has("if-none-match")
      ? { job: await requireItineraryRow(id), days: null }
      : await requireItinerary(id);
    const { job } = found;
    const etag = etagOf(job);
    const headers = new Headers({ ETag: etag, "Cache-Control": "no-cache" });
    if (job.status === "processing") headers.set("Retry-After", String(POLL_AFTER_SECONDS));
    if (matchesIfNoneMatch(request, etag)) return new Response(null, { status: 304, headers });
    return Response.json(presentItinerary(job, found.days ?? (await loadDays(job))), { headers });
  } catch (error) {
    return errorResponse(error);
  }
}

// DELETE /api/itineraries/{id} – remove the job, its days and steps (a running job is cancelled first)
export async function DELETE(request: Request, { params }: Context) {
  try {
    const { ownerKey } = authenticate(request, { required: true });
    await deleteItinerary((await params).id, { ownerKey });
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error);
  }
}
