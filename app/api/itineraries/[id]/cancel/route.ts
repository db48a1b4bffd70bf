import { errorResponse } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import { cancelItinerary } from "@/lib/itineraries/commands";

// POST /api/itineraries/{id}/cancel – stop a job that is still processing (409 once finished)
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { job, days } = await cancelItinerary((await params).id);
    return Response.json(presentItinerary(job, days), { status: 202 });
  } catch (error) {
    return errorResponse(error);
  }
}
