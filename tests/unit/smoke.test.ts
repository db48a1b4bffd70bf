import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/database";
import { submitItinerary, getItinerary } from "@/lib/itineraries/service";

describe("smoke", () => {
  it("submits and reads back", async () => {
    await createTestDatabase();
    const { job } = await submitItinerary({ destination: "Tokyo, Japan", durationDays: 2 });
    const found = await getItinerary(job.id);
    expect(found?.job.destination).toBe("Tokyo, Japan");
  });
});
