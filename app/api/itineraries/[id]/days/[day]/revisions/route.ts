import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse, POLL_AFTER_SECONDS, publicOrigin, readJsonBody } from "@/lib/api/http";
import { readIdempotencyKey } from "@/lib/api/itineraries";
import { presentItinerary } from "@/lib/domain/presenter";
import { requestRevision } from "@/lib/itineraries/revisions";

type Params = { params: Promise<{ id: string; day: string }> };

// POST /api/itineraries/{id}/days/{day}/revisions – the owner asks for the day rewritten in words (202)
export async function POST(request: Request, { params }: Params) {
  try {
    const body = await readJsonBody(request);
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { id, day } = await params;
    const { found } = await requestRevision(id, day, body, {
      idempotencyKey: readIdempotencyKey(request) ?? null,
      caller,
    });
    const headers = new Headers({
      Location: `${publicOrigin(request)}/api/itineraries/${found.job.id}`,
      "Retry-After": String(POLL_AFTER_SECONDS),
    });
    return Response.json(presentItinerary(found.job, found.days), { status: 202, headers });
  } catch (error) {
    return errorResponse(error);
  }
}
