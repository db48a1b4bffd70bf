import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { removeActivity } from "@/lib/itineraries/revisions";

type Params = { params: Promise<{ id: string; day: string; index: string }> };

// DELETE /api/itineraries/{id}/days/{day}/activities/{index} – the owner removes a stop, as a revision undo can reverse
export async function DELETE(request: Request, { params }: Params) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { id, day, index } = await params;
    const { job, days } = await removeActivity(id, day, index, caller);
    return Response.json(presentItinerary(job, days));
  } catch (error) {
    return errorResponse(error);
  }
}
