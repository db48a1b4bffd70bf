import os from "node:os";

/** What the figures were measured on; every bench's JSON line carries it. */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

export function machineLine(): string {
  const machine = describeMachine();
  return `${machine.node} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGiB} GiB · ${machine.platform} · load ${machine.loadAverage.join(" ")}`;
}
