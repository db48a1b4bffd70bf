import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { isPrivateAddress } from "./url-guard";

// The DNS-rebinding guard. A callback host that looked public at submit time may resolve to
// a private address by the time we send. Checking with a separate lookup and then letting
// the HTTP client resolve again would leave a window between the two; instead the socket
// connects through this lookup, so the addresses checked are the addresses used.

export class PrivateAddressError extends Error {
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to a private address (${address}); refusing to send the webhook.`);
    this.name = "PrivateAddressError";
  }
}

export type Resolve = (hostname: string) => Promise<dns.LookupAddress[]>;

const resolveAll: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Every address of `hostname`; throws PrivateAddressError if any is private (unless allowed). */
export async function resolvePublicAddresses(
  hostname: string,
  { allowPrivate, resolve = resolveAll }: { allowPrivate: boolean; resolve?: Resolve },
): Promise<dns.LookupAddress[]> {
  const addresses = await resolve(hostname);
  if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no addresses`), { code: "ENOTFOUND" });
  const blocked = allowPrivate ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
  if (blocked) throw new PrivateAddressError(hostname, blocked.address);
  return addresses;
}

/** A `lookup` for http.request / net.connect that refuses private addresses. */
export function safeLookup(options: { allowPrivate: boolean; resolve?: Resolve }): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolvePublicAddresses(hostname, options).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
        const first = usable[0];
        if (!first) callback(Object.assign(new Error(`${hostname} has no IPv${wanted} address`), { code: "ENOTFOUND" }), "");
        else if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}
