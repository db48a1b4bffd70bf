type EventsRoute = {
  GET: (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
};

/** Opens a job's event stream through the route handler; reads it until a pattern shows up. */
export async function openEventStream(route: EventsRoute, id: string, signal: AbortSignal) {
  const response = await route.GET(new Request(`http://localhost/api/itineraries/${id}/events`, { signal }), {
    params: Promise.resolve({ id }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    response,
    /** Reads until `pattern` matches what arrived so far; false if the stream ended first. */
    async readUntil(pattern: RegExp): Promise<boolean> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += value;
      }
      return true;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
