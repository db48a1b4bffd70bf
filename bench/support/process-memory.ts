import { readdirSync, readFileSync } from "node:fs";

// Resident memory of a process and everything it started, read from /proc (Linux only):
// the figure `ps` and container limits go by, which counts the WASM pages PGlite touched
// and memory the allocator holds but V8 no longer uses.

/** One field of /proc/<pid>/status in MiB (VmRSS, VmHWM…), or null once the process is gone. */
function statusMiB(pid: number, field: string): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    // The command name (2nd field) is in parentheses and may hold spaces: read after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

const allPids = () => readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);

/** `pid` and every process descending from it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of allPids()) {
    const parent = parentOf(candidate);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), candidate]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

export interface TreeMemory {
  /** VmRSS of the process and its descendants, MiB. */
  rssMiB: number;
  /** The highest VmRSS each process reached (VmHWM), summed, MiB. */
  peakMiB: number;
  processes: number;
}

export function treeMemory(pid: number): TreeMemory {
  const pids = processTree(pid).filter((member) => statusMiB(member, "VmRSS") !== null);
  const sum = (field: string) => pids.reduce((total, member) => total + (statusMiB(member, field) ?? 0), 0);
  return { rssMiB: sum("VmRSS"), peakMiB: sum("VmHWM"), processes: pids.length };
}

/** The first process whose command line contains every one of `parts` (arguments, in order). */
export function findProcess(parts: string[]): number | null {
  for (const pid of allPids()) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const start = args.indexOf(parts[0]!);
      if (start >= 0 && parts.every((part, index) => args[start + index] === part)) return pid;
    } catch {
      // gone already
    }
  }
  return null;
}
