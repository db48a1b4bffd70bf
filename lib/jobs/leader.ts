import "server-only";
import { databaseCanNotify, notifyChannel } from "@/lib/db/notifications";
import { holdSessionLock, type SessionLock } from "@/lib/db/session-lock";
import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";

// One local runner per database. Every instance accepts requests; exactly one — the
// leader, holding a session-level advisory lock on a connection of its own — runs the
// local runner's jobs. The others hand new work to it over NOTIFY (the jobs table stays the
// truth: a leader resumes every unfinished job when it takes over). When the leader dies,
// PostgreSQL frees its lock and another instance takes over within LEADER_RETRY_MS. The
// embedded database lives in one process, which always leads.

/** The lock's key: "itinera" in ASCII, as a 64-bit integer. */
const LEADER_LOCK_KEY = 0x6974696e657261n;
const WORK_CHANNEL = "itinera_work";
/** How often an instance without the lock tries to take it: the longest takeover wait. */
export const LEADER_RETRY_MS = 2_000;

export type WorkMessage =
  | { kind: "start" | "cancel"; id: string }
  /** Revision `revision` of day `day` of job `id`. */
  | { kind: "revise"; id: string; day: number; revision: number };

export interface LeadershipHooks {
  /** This instance now leads: resume unfinished work, start the housekeeping timers. */
  onLead: () => void;
  /** This instance no longer leads (its lock's connection dropped): stop running jobs. */
  onFollow: () => void;
  /** Work another instance handed over. */
  onWork: (message: WorkMessage) => void;
}

interface Leadership {
  lock: SessionLock | null;
  /** True for the embedded database (one process) once started. */
  alone: boolean;
}

const state = () => processSingleton<Leadership>("leadership", () => ({ lock: null, alone: false }));

function parseWork(payload: string): WorkMessage | null {
  const [kind, id, day, revision] = payload.split(":");
  if (!id) return null;
  if (kind === "start" || kind === "cancel") return { kind, id };
  if (kind === "revise" && Number(day) > 0 && Number(revision) > 1) return { kind, id, day: Number(day), revision: Number(revision) };
  return null;
}

const formatWork = (message: WorkMessage) =>
  message.kind === "revise" ? `revise:${message.id}:${message.day}:${message.revision}` : `${message.kind}:${message.id}`;

/** Starts competing for leadership (once per process). */
export function startLeadership(hooks: LeadershipHooks): void {
  const current = state();
  if (current.lock || current.alone) return;
  if (!databaseCanNotify()) {
    current.alone = true;
    hooks.onLead();
    return;
  }
  current.lock = holdSessionLock({
    key: LEADER_LOCK_KEY,
    channel: WORK_CHANNEL,
    retryMs: LEADER_RETRY_MS,
    onAcquired() {
      logger("leader").info({}, "this instance now runs the local runner's jobs");
      hooks.onLead();
    },
    onLost: hooks.onFollow,
    onPayload(payload) {
      const message = parseWork(payload);
      if (message) hooks.onWork(message);
    },
  });
}

/** Whether this instance runs the local runner's jobs; null before leadership started. */
export function isLeader(): boolean | null {
  const current = state();
  if (current.alone) return true;
  return current.lock ? current.lock.held : null;
}

/** Hands work to the leader, whichever instance it is. */
export async function handToLeader(message: WorkMessage): Promise<void> {
  await notifyChannel(WORK_CHANNEL, formatWork(message));
}

/** Stops competing and gives the lock up (tests, shutdown). */
export async function stopLeadership(): Promise<void> {
  const current = state();
  await current.lock?.stop();
  current.lock = null;
  current.alone = false;
}
