import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { getOrCreateSecret } from "@/lib/db/queries/secrets";
import { env } from "@/lib/env";
import { processSingleton, replaceProcessSingleton } from "@/lib/singleton";

// A browser owns its trips through an anonymous owner token: 256 random bits in an httpOnly,
// SameSite=Lax cookie, minted on its first submission. The server keeps only a hash of the
// token (the job's owner key). The cookie also carries an HMAC of the token under a key the
// server makes for itself (kept in the database, shared by every instance), so a made-up
// token is not an owner: it cannot split the per-client limits into fresh buckets.

export const OWNER_COOKIE = "itinera_owner";
/** Browsers keep a cookie at most 400 days; the token lives that long unless cleared. */
const OWNER_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;
/** The key's name in app_secrets. */
const SECRET_NAME = "owner-cookie-hmac";

export interface BrowserOwner {
  /** The hash stored on the owner's jobs. */
  ownerKey: string;
}

/** The key, read once per process. */
const SECRET_SINGLETON = "owner-cookie-secret";

function cookieSecret(): Promise<string> {
  return processSingleton(SECRET_SINGLETON, () =>
    getOrCreateSecret({ name: SECRET_NAME, initial: randomBytes(32).toString("base64url") }).catch((error: unknown) => {
      replaceProcessSingleton(SECRET_SINGLETON, undefined);
      throw error;
    }),
  );
}

/** The owner key of a browser token: what its jobs store, never the token itself. */
export function browserOwnerKey(token: string): string {
  return createHash("sha256").update(`itinera-browser:${token}`).digest("hex").slice(0, 32);
}

const sign = (secret: string, token: string) => createHmac("sha256", secret).update(token).digest("base64url");

/** The owner a cookie value proves, or null for a missing, malformed or forged one. */
export async function ownerFromCookie(value: string | undefined | null): Promise<BrowserOwner | null> {
  const match = value ? /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!match) return null;
  const [, token = "", signature = ""] = match;
  const expected = Buffer.from(sign(await cookieSecret(), token));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { ownerKey: browserOwnerKey(token) };
}

/** A new owner and the cookie that carries it, for a request to `host`. */
export async function mintOwner(host: string | null): Promise<{
  owner: BrowserOwner;
  cookie: { name: string; value: string; options: OwnerCookieOptions };
}> {
  const token = randomBytes(32).toString("base64url");
  const value = `${token}.${sign(await cookieSecret(), token)}`;
  return { owner: { ownerKey: browserOwnerKey(token) }, cookie: { name: OWNER_COOKIE, value, options: ownerCookieOptions(host) } };
}

export interface OwnerCookieOptions {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/**
 * Secure in production, except on a loopback host (a production build tried out over
 * plain http on a laptop, where a Secure cookie would be dropped).
 */
export function ownerCookieOptions(host: string | null): OwnerCookieOptions {
  const secure = env().NODE_ENV === "production" && !LOOPBACK_HOST.test(host ?? "");
  return { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: OWNER_COOKIE_MAX_AGE_SECONDS };
}

/** The owner cookie's value in a Cookie header. */
export function ownerCookieValue(headers: Headers): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === OWNER_COOKIE) return rest.join("=");
  }
  return undefined;
}
