import type { Owner } from "@/lib/domain/owner";

/** An anonymous caller on a server without API keys: may change ownerless jobs. */
export const ANYONE_ON_AN_OPEN_SERVER: Owner = { ownerKey: null, openMode: true };
