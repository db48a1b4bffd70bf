import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Owner } from "@/lib/domain/owner";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ownerCookieValue, ownerFromCookie } from "./owner";

// Who is asking. An API caller with a key is owned by that key; a browser by its owner
// cookie; anyone else is anonymous. With API_KEYS configured, the API is closed to
// anonymous changes (401); with none, it is open, as on a laptop, and an anonymous caller
// creates ownerless jobs. Reads of one job by id stay public: the id is a share link.
//
// Each caller also has a bucket for the per-client limits: its key, else its owner, else
// the address in the header the operator trusts (TRUSTED_CLIENT_IP_HEADER), else one
// shared anonymous bucket. A header the client chooses (X-Forwarded-For) never splits it.

export type CallerKind = "api-key" | "browser" | "anonymous";

export interface Caller extends Owner {
  kind: CallerKind;
  /** The per-client limits bucket: a hash, never the key, token or address itself. */
  clientKey: string;
}

const digest = (value: string) => createHash("sha256").update(value).digest();
const bucket = (value: string) => digest(`itinera-client:${value}`).toString("hex").slice(0, 32);

/** Constant-time: every configured key is compared, in full, as a fixed-size digest. */
function matchesConfiguredKey(token: string, keys: string[]): boolean {
  const candidate = digest(token);
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(candidate, digest(key)) || matched;
  return matched;
}

/** The owner key of an API key (what its jobs store). */
export function ownerKeyOf(token: string): string {
  return digest(`itinera-owner:${token}`).toString("hex").slice(0, 32);
}

/** The trusted header's address (its last entry: what the operator's proxy saw), if any. */
function trustedAddress(headers: Headers): string | null {
  const config = env();
  const name = config.TRUSTED_CLIENT_IP_HEADER ?? (config.VERCEL ? "x-real-ip" : undefined);
  if (!name) return null;
  const value = headers.get(name)?.split(",").at(-1)?.trim();
  return value ? value : null;
}

/** The limits bucket of a caller with no key and no owner cookie. */
export function anonymousClientKey(headers: Headers): string {
  const address = trustedAddress(headers);
  return bucket(address ? `address:${address}` : "anonymous");
}

/**
 * Identifies the caller of a request. A wrong API key is a 401; a forged or malformed owner
 * cookie is ignored (the caller is anonymous).
 */
export async function identifyCaller(headers: Headers): Promise<Caller> {
  const keys = env().API_KEYS;
  const authorization = headers.get("authorization");
  if (keys.length > 0 && authorization !== null) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token || !matchesConfiguredKey(token, keys)) throw new AppError("unauthorized", "The API key is not valid.");
    const ownerKey = ownerKeyOf(token);
    return { kind: "api-key", ownerKey, openMode: false, clientKey: bucket(`api-key:${ownerKey}`) };
  }
  const openMode = keys.length === 0;
  const browser = await ownerFromCookie(ownerCookieValue(headers));
  if (browser) return { kind: "browser", ownerKey: browser.ownerKey, openMode, clientKey: bucket(`owner:${browser.ownerKey}`) };
  return { kind: "anonymous", ownerKey: null, openMode, clientKey: anonymousClientKey(headers) };
}

/** With API_KEYS configured, an anonymous caller may not change or list anything: 401. */
export function requireIdentified(caller: Caller): void {
  if (caller.kind === "anonymous" && !caller.openMode) {
    throw new AppError("unauthorized", "This request needs an API key: send Authorization: Bearer <key>.");
  }
}
