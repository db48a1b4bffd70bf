import type { ItineraryRow } from "@/lib/db/schema";

// Every change to a job moves updated_at, so (id, status, updated_at) identifies one
// version of the resource: a poller that sends it back gets 304 without the days read.

export function etagOf(job: Pick<ItineraryRow, "id" | "status" | "updatedAt">): string {
  return `W/"${job.id}.${job.status}.${job.updatedAt.getTime()}"`;
}

/** True when If-None-Match names this version (or is "*"). */
export function matchesIfNoneMatch(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || weak(tag) === weak(etag));
}
