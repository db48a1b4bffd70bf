import type { EndedStatus } from "@/lib/domain/constants";

// What a durable handler is given, whichever runner executes it: the event that started
// it, the step tools, and ways to announce that a job ended or that a revision of one of
// its days landed or failed (each queues a webhook).
// Inngest's own step tools fit StepTools; so does the local runner's.

export interface StepTools {
  /**
   * Runs `fn` once per run as the step `id`: its output is memoized, a failure retried. The
   * output goes through JSON (in Inngest and in the local runner alike).
   */
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** Queues the webhook of a job that ended as `status`; false when it has none to send. */
export type AnnounceEnded = (id: string, status: EndedStatus) => Promise<boolean>;

/** How a revision of a day ended: its plan is on show, or the day says why it failed. */
export type RevisionOutcome = "landed" | "failed";

/**
 * Queues the `itinerary.updated` webhook for revision `revision` of day `day`, which
 * `outcome`; false when there is none to send (no callback URL, the job was deleted).
 */
export type AnnounceUpdated = (id: string, day: number, revision: number, outcome: RevisionOutcome) => Promise<boolean>;

export interface WorkflowContext<Data> {
  event: { data: Data };
  step: StepTools;
  announceEnded: AnnounceEnded;
  /** Both runners pass it; only the revision workflow announces updates. */
  announceUpdated?: AnnounceUpdated;
}

export interface FailureContext<Data> {
  data: Data;
  error: unknown;
  announceEnded: AnnounceEnded;
  /** Both runners pass it; only the revision workflow announces updates. */
  announceUpdated?: AnnounceUpdated;
  /** Inngest's step tools in its failure handler; run directly when absent (local runner). */
  step?: StepTools;
}

/** A durable function: the Inngest function id (the local registry's key too) and its bodies. */
export interface Workflow<Data extends { id: string }> {
  id: string;
  handler(context: WorkflowContext<Data>): Promise<unknown>;
  /** Once the run has used up its attempts (or hit an error not worth retrying). */
  onFailure(context: FailureContext<Data>): Promise<unknown>;
}

/** Step tools that run each body at once: for failure handlers outside any runner's step. */
export const runDirectly: StepTools = { run: (_id, fn) => fn() };
