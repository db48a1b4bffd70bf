// Who may change a job. Reads by id are public (a job's id is its share link); changes —
// cancel, retry, delete and every later one — need the job's owner. A job without an owner
// (created without a key or browser, in open mode, or before owners existed) may be changed
// by anyone holding its id, but only while the server is open (no API keys).

export interface Owner {
  /** The caller's owner key (a hash), or null for an anonymous caller. */
  ownerKey: string | null;
  /** True when the server has no API keys: ownerless jobs are anyone's to change. */
  openMode: boolean;
}

export function mayChange(job: { ownerKey: string | null }, caller: Owner): boolean {
  return job.ownerKey === null ? caller.openMode : job.ownerKey === caller.ownerKey;
}
