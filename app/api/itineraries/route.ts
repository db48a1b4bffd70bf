import { authenticate } from "@/lib/api/auth";
import { errorResponse, POLL_AFTER_SECONDS, publicOrigin, readJsonBody } from "@/lib/api/http";
import { encodeCursor, readIdempotencyKey, readListQuery } from "@/lib/api/itineraries";
import { clientKeyFromHeaders } from "@/lib/itineraries/limits";
import { presentSummary } from "@/lib/domain/presenter";
import { listItineraries } from "@/lib/itineraries/reads";
import { submitItinerary } from "@/lib/itineraries/submit";

// POST /api/itineraries – request an itinerary; answers 202 with the job's status URL
export async function POST(request: Request) {
  try {
    const body = await readJsonBody(request);
    const { ownerKey } = authenticate(request, { required: false });
    const { job } = await submitItinerary(body, {
      idempotencyKey: readIdempotencyKey(request),
      clientKey: clientKeyFromHeaders(request.headers),
      ownerKey,
    });
    const origin = publicOrigin(request);
    const statusUrl = `${origin}/api/itineraries/${job.id}`;
    const headers = new Headers({ Location: statusUrl });
    if (job.status === "processing") headers.set("Retry-After", String(POLL_AFTER_SECONDS));
    return Response.json(
      { jobId: job.id, status: job.status, statusUrl, pageUrl: `${origin}/itineraries/${job.id}` },
      { status: 202, headers },
    );
  } catch (error) {
    return errorResponse(error);
  }
}

// GET /api/itineraries – recent jobs, newest first, with an opaque cursor
export async function GET(request: Request) {
  try {
    const { ownerKey } = authenticate(request, { required: true });
    const { limit, status, cursor } = readListQuery(new URL(request.url));
    const rows = await listItineraries({
      limit: limit + 1,
      before: cursor,
      status,
      ownerKey: ownerKey ?? undefined,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return Response.json({
      data: page.map(presentSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    });
  } catch (error) {
    return errorResponse(error);
  }
}
