import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse, POLL_AFTER_SECONDS, publicOrigin, readJsonBody } from "@/lib/api/http";
import { encodeCursor, readIdempotencyKey, readListQuery } from "@/lib/api/itineraries";
import { presentSummary } from "@/lib/domain/presenter";
import { listItineraries } from "@/lib/itineraries/reads";
import { submitItinerary } from "@/lib/itineraries/submit";

// POST /api/itineraries – request an itinerary; answers 202 with the job's status URL
export async function POST(request: Request) {
  try {
    const body = await readJsonBody(request);
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { job } = await submitItinerary(body, {
      idempotencyKey: readIdempotencyKey(request),
      clientKey: caller.clientKey,
      ownerKey: caller.ownerKey,
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

// GET /api/itineraries – the caller's own jobs, newest first, with an opaque cursor
export async function GET(request: Request) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { limit, status, cursor } = readListQuery(new URL(request.url));
    // An anonymous caller (open mode only) sees the ownerless jobs.
    const rows = await listItineraries({ limit: limit + 1, before: cursor, status, ownerKey: caller.ownerKey });
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
