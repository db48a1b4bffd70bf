import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// API keys (API_KEYS) guard listing and deleting; reads by id stay public (the id is an
// unguessable capability). A job created with a key belongs to it: only that key lists it.
// With no keys configured, the API is open, as on a laptop.

export interface Caller {
  /** A hash of the caller's API key, or null for an anonymous caller. */
  ownerKey: string | null;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time: every configured key is compared, in full, as a fixed-size digest. */
function matchesConfiguredKey(token: string, keys: string[]): boolean {
  const candidate = digest(token);
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(candidate, digest(key)) || matched;
  return matched;
}

export function ownerKeyOf(token: string): string {
  return digest(`itinera-owner:${token}`).toString("hex").slice(0, 32);
}

export function authenticate(request: Request, { required }: { required: boolean }): Caller {
  const keys = env().API_KEYS;
  if (keys.length === 0) return { ownerKey: null };
  const header = request.headers.get("authorization");
  if (header === null) {
    if (!required) return { ownerKey: null };
    throw new AppError("unauthorized", "This request needs an API key: send Authorization: Bearer <key>.");
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token || !matchesConfiguredKey(token, keys)) {
    throw new AppError("unauthorized", "The API key is not valid.");
  }
  return { ownerKey: ownerKeyOf(token) };
}
