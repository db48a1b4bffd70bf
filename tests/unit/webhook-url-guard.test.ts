import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { itineraryRequestSchema } from "@/lib/domain/trip";
import { PrivateAddressError, resolvePublicAddresses, safeLookup } from "@/lib/webhooks/safe-lookup";
import { assertCallbackUrlAccepted, callbackUrlProblem, isPrivateAddress, WEBHOOKS_NOT_CONFIGURED_MESSAGE } from "@/lib/webhooks/url-guard";
import { CALLBACK_URL_MESSAGE } from "@/lib/domain/callback-url";

const refused = (url: string) => callbackUrlProblem(url, { allowPrivate: false }) !== null;
const allowedWithPrivate = (url: string) => callbackUrlProblem(url, { allowPrivate: true }) === null;

const PUBLIC = [
  "https://hooks.example.com/itinera",
  "http://hooks.example.com:8080/in?token=abc",
  "https://93.184.216.34/hook",
  "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
  "https://172.32.0.1/", // just outside 172.16.0.0/12
  "https://[::ffff:8.8.8.8]/", // IPv4-mapped, public
];

const PRIVATE = [
  "http://127.0.0.1:3000/hook",
  "http://127.255.255.254/",
  "http://[::1]/hook",
  "http://10.1.2.3/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.168.1.10/",
  "http://169.254.169.254/latest/meta-data/", // cloud metadata
  "http://[fc00::1]/",
  "http://[fd12:3456:789a::1]/",
  "http://[fe80::1]/",
  "http://0.0.0.0/",
  "http://[::]/",
  "http://localhost:3000/",
  "http://LOCALHOST./",
  "http://api.localhost/",
  "http://2130706433/", // 127.0.0.1 written as a number
  "http://0x7f.1/", // and in hex
  "http://[::ffff:127.0.0.1]/", // IPv4-mapped loopback
  "http://[::ffff:10.0.0.1]/",
  "http://[64:ff9b::a00:1]/", // NAT64 of 10.0.0.1
  "http://[2002:c0a8:0101::1]/", // 6to4 of 192.168.1.1
  "http://100.64.0.1/", // carrier-grade NAT
];

const MALFORMED = [
  "ftp://example.com/file",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "data:text/plain,hi",
  "https://user:pass@example.com/hook",
  "https://token@example.com/hook",
  "not a url",
  "//example.com/hook",
  `https://example.com/${"a".repeat(2048)}`,
];

describe("callback URL guard", () => {
  it.each(PUBLIC)("accepts the public URL %s", (url) => {
    expect(callbackUrlProblem(url, { allowPrivate: false })).toBeNull();
  });

  it.each(PRIVATE)("refuses %s, unless private addresses are allowed", (url) => {
    expect(refused(url)).toBe(true);
    expect(allowedWithPrivate(url)).toBe(true);
  });

  it.each(MALFORMED)("refuses %s even when private addresses are allowed", (url) => {
    expect(refused(url)).toBe(true);
    expect(allowedWithPrivate(url)).toBe(false);
  });

  it("classifies addresses as DNS returns them", () => {
    for (const address of ["127.0.0.1", "::1", "10.0.0.1", "fe80::1%eth0", "::ffff:192.168.0.1", "0.0.0.0", "::"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "172.15.255.255", "not-an-ip"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});

describe("callbackUrl in the request schema", () => {
  const base = { destination: "Lisbon", durationDays: 2 };

  it("is optional and nullable, and stored normalized", () => {
    expect(itineraryRequestSchema.parse(base).callbackUrl).toBeUndefined();
    expect(itineraryRequestSchema.parse({ ...base, callbackUrl: null }).callbackUrl).toBeUndefined();
    expect(itineraryRequestSchema.parse({ ...base, callbackUrl: " https://Hooks.Example.com/a b " }).callbackUrl).toBe(
      "https://hooks.example.com/a%20b",
    );
  });

  it("answers a readable message for a URL that is not http(s)", () => {
    for (const callbackUrl of ["ftp://example.com", "https://u:p@example.com", 42]) {
      const result = itineraryRequestSchema.safeParse({ ...base, callbackUrl });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
        ["callbackUrl", CALLBACK_URL_MESSAGE],
      ]);
    }
  });
});

describe("accepting a callback URL at submit", () => {
  const config = (extra: Record<string, string> = {}) =>
    parseEnv({ WEBHOOK_SECRET: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=", ...extra });

  function fieldErrors(run: () => void): string[] | undefined {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(422);
      return (error as AppError).details?.fields?.callbackUrl;
    }
    return undefined;
  }

  it("refuses a private host with a 422 naming the field; WEBHOOK_ALLOW_PRIVATE lets it through", () => {
    expect(fieldErrors(() => assertCallbackUrlAccepted("http://127.0.0.1:9/hook", config()))).toEqual([
      CALLBACK_URL_MESSAGE,
    ]);
    expect(fieldErrors(() => assertCallbackUrlAccepted("http://127.0.0.1:9/hook", config({ WEBHOOK_ALLOW_PRIVATE: "1" })))).toBeUndefined();
    expect(fieldErrors(() => assertCallbackUrlAccepted("https://hooks.example.com/", config()))).toBeUndefined();
  });

  it("refuses any callback URL when no signing secret is configured", () => {
    expect(fieldErrors(() => assertCallbackUrlAccepted("https://hooks.example.com/", parseEnv({})))).toEqual([
      WEBHOOKS_NOT_CONFIGURED_MESSAGE,
    ]);
    expect(fieldErrors(() => assertCallbackUrlAccepted(undefined, parseEnv({})))).toBeUndefined();
  });
});

describe("the DNS-rebinding guard at delivery time", () => {
  const resolvingTo = (...addresses: string[]) => async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("refuses a name when any of its addresses is private", async () => {
    await expect(
      resolvePublicAddresses("rebind.example", { allowPrivate: false, resolve: resolvingTo("93.184.216.34", "10.0.0.7") }),
    ).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(
      resolvePublicAddresses("v6.example", { allowPrivate: false, resolve: resolvingTo("fd00::5") }),
    ).rejects.toThrow(/private address \(fd00::5\)/);
  });

  it("passes public addresses, and private ones when allowed", async () => {
    await expect(
      resolvePublicAddresses("hooks.example", { allowPrivate: false, resolve: resolvingTo("93.184.216.34") }),
    ).resolves.toEqual([{ address: "93.184.216.34", family: 4 }]);
    await expect(
      resolvePublicAddresses("dev.example", { allowPrivate: true, resolve: resolvingTo("127.0.0.1") }),
    ).resolves.toHaveLength(1);
  });

  it("is what the socket connects through: a lookup that answers one address or all", async () => {
    const lookup = safeLookup({ allowPrivate: false, resolve: resolvingTo("93.184.216.34", "2606:2800:220:1::1") });
    const one = await new Promise((resolve, reject) =>
      lookup("hooks.example", { family: 6 }, (error, address, family) => (error ? reject(error) : resolve([address, family]))),
    );
    expect(one).toEqual(["2606:2800:220:1::1", 6]);
    const all = await new Promise((resolve, reject) =>
      lookup("hooks.example", { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
    );
    expect(all).toHaveLength(2);
    const blocked = safeLookup({ allowPrivate: false, resolve: resolvingTo("169.254.169.254") });
    const error = await new Promise((resolve) => blocked("metadata.example", {}, (caught) => resolve(caught)));
    expect(error).toBeInstanceOf(PrivateAddressError);
  });
});
