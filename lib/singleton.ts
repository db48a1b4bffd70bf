// One instance per process of the things that must not be duplicated: the database pool,
// the local runners, the LLM limiter, the change feed, timers. Kept on globalThis because
// Next bundles routes, actions and instrumentation separately and reloads modules in
// development; a module-level variable would give each bundle (and each reload) its own.

const store = ((globalThis as { __itinera?: Map<string, unknown> }).__itinera ??= new Map<string, unknown>());

/** The process's one `name`, created by `create` on first use. */
export function processSingleton<T>(name: string, create: () => T): T {
  if (!store.has(name)) store.set(name, create());
  return store.get(name) as T;
}

/** Replaces (or with undefined, forgets) the process's `name`: tests, reconnects, shutdown. */
export function replaceProcessSingleton<T>(name: string, value: T | undefined): void {
  if (value === undefined) store.delete(name);
  else store.set(name, value);
}

/** Removes the process's `name` and hands it back (undefined when there was none). */
export function takeProcessSingleton<T>(name: string): T | undefined {
  const value = store.get(name) as T | undefined;
  store.delete(name);
  return value;
}
