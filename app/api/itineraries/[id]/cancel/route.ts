import { errorResponse } from "@/lib/api/http";
import { presentItinerary } from "@/lib/itineraries/presenter";
import { cancelItinerary, requireItinerary } from "@/lib/itineraries/service";

// POST /api/itineraries/{id}/cancel – stop a job that is still processing (409 once finished)
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    await cancelItinerary(id);
    const { job, days } = await requireItinerary(id);
    return Response.json(presentItinerary(job, days), { status: 202 });
  } catch (error) {
    return errorResponse(error);
  }
}
