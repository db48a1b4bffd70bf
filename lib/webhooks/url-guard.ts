import { CALLBACK_URL_MESSAGE, parseCallbackUrl } from "@/lib/domain/callback-url";
import { AppError } from "@/lib/errors";
import { env, type Env } from "@/lib/env";

// Callback URLs are typed by API clients and fetched by our server, so they must not point
// into our own network (SSRF). Here: the syntax, and hosts that are private by their very
// name (an IP literal, `localhost`). A name that *resolves* to a private address is caught
// when the webhook is sent (lib/webhooks/safe-lookup.ts). The syntax itself is the
// domain's (lib/domain/callback-url.ts), so the request schema can check it.

export const WEBHOOKS_NOT_CONFIGURED_MESSAGE = "webhooks are not configured on this server";

type Cidr = readonly [bytes: readonly number[], prefixBits: number];

// Not reachable on the public internet, or not meant to be: "this network", private,
// shared (CGNAT), loopback, link-local, IETF protocol assignments, benchmarking, multicast,
// reserved and broadcast.
const BLOCKED_IPV4: readonly Cidr[] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16],
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[224, 0, 0, 0], 4],
  [[240, 0, 0, 0], 4],
];

// Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast,
// discard-only (100::/64). Unspecified and loopback fall in ::/96 below.
const BLOCKED_IPV6: readonly Cidr[] = [
  [[0xfc], 7],
  [[0xfe, 0x80], 10],
  [[0xfe, 0xc0], 10],
  [[0xff], 8],
  [[0x01, 0, 0, 0, 0, 0, 0, 0], 64],
];

// IPv6 forms that carry an IPv4 address, judged by that address: IPv4-compatible (::/96,
// which covers :: and ::1), IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) at byte 12,
// and 6to4 (2002::/16) at byte 2.
const EMBEDDED_IPV4: ReadonlyArray<readonly [Cidr, number]> = [
  [[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96], 12],
  [[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96], 12],
  [[[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96], 12],
  [[[0x20, 0x02], 16], 2],
];

function inCidr(address: readonly number[], [network, bits]: Cidr): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const mask = (0xff << (8 - Math.min(8, bits - bit))) & 0xff;
    const index = bit / 8;
    if (((address[index] ?? 0) & mask) !== ((network[index] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIpv4(text: string): number[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return null;
  const bytes = match.slice(1).map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

function parseIpv6(text: string): number[] | null {
  let rest = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (dotted?.[1] && dotted[2]) {
    const ipv4 = parseIpv4(dotted[2]);
    if (!ipv4) return null;
    tail.push(...ipv4);
    rest = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = rest.split("::");
  if (halves.length > 2) return null;
  const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
  if (groups.flat().some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return null;
  const words = groups.map((half) => half.map((group) => parseInt(group, 16)));
  const missing = 8 - tail.length / 2 - words.flat().length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...(words[0] ?? []), ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...(words[1] ?? [])];
  return [...all.flatMap((word) => [word >> 8, word & 0xff]), ...tail];
}

/** The address family of an IP literal (brackets allowed), or 0 when it is not one. */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (parseIpv4(text)) return 4;
  return text.includes(":") && parseIpv6(text) ? 6 : 0;
}

/** True for loopback, private, link-local, unique-local, unspecified and similar addresses. */
export function isPrivateAddress(text: string): boolean {
  const ipv4 = parseIpv4(text);
  if (ipv4) return BLOCKED_IPV4.some((cidr) => inCidr(ipv4, cidr));
  const ipv6 = parseIpv6(text);
  if (!ipv6) return false;
  for (const [cidr, offset] of EMBEDDED_IPV4) {
    if (inCidr(ipv6, cidr)) return isPrivateAddress(ipv6.slice(offset, offset + 4).join("."));
  }
  return BLOCKED_IPV6.some((cidr) => inCidr(ipv6, cidr));
}

/** `localhost` and `*.localhost` (RFC 6761), with or without the root's trailing dot. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** Why a callback URL is refused, or null when it may be used. */
export function callbackUrlProblem(value: string, { allowPrivate }: { allowPrivate: boolean }): string | null {
  const url = parseCallbackUrl(value);
  if (!url) return "not an http(s) URL without credentials";
  if (allowPrivate) return null;
  if (isLocalhostName(url.hostname)) return "a localhost name";
  if (ipVersion(url.hostname) !== 0 && isPrivateAddress(url.hostname)) return "a private address";
  return null;
}

/**
 * At submit time: a callback URL needs a signing secret (we never send unsigned webhooks)
 * and a public host unless WEBHOOK_ALLOW_PRIVATE. Throws a 422 naming the field.
 */
export function assertCallbackUrlAccepted(callbackUrl: string | null | undefined, config: Env = env()): void {
  if (!callbackUrl) return;
  const refuse = (message: string) => {
    throw new AppError("validation_failed", "Some fields need attention.", { fields: { callbackUrl: [message] } });
  };
  if (!config.WEBHOOK_SECRET) refuse(WEBHOOKS_NOT_CONFIGURED_MESSAGE);
  if (callbackUrlProblem(callbackUrl, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE })) refuse(CALLBACK_URL_MESSAGE);
}
