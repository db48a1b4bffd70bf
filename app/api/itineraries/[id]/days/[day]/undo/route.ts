import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { undoRevision } from "@/lib/itineraries/revisions";

// POST /api/itineraries/{id}/days/{day}/undo – the owner puts the day's previous version back (409: nothing to undo)
export async function POST(request: Request, { params }: { params: Promise<{ id: string; day: string }> }) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { id, day } = await params;
    const { job, days } = await undoRevision(id, day, caller);
    return Response.json(presentItinerary(job, days));
  } catch (error) {
    return errorResponse(error);
  }
}
