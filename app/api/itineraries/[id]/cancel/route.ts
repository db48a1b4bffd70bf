import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { errorResponse } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { cancelItinerary } from "@/lib/itineraries/commands";

// POST /api/itineraries/{id}/cancel – the owner stops a job that is still processing (409 once finished)
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const caller = await identifyCaller(request.headers);
    requireIdentified(caller);
    const { job, days } = await cancelItinerary((await params).id, caller);
    return Response.json(presentItinerary(job, days), { status: 202 });
  } catch (error) {
    return errorResponse(error);
  }
}
