// Runs once when the Next.js server starts. An unusable configuration stops the process
// here, with the variables to fix named (lib/startup.ts).
export async function register() {
  // NEXT_RUNTIME is a build-time constant the bundler inlines (not configuration), so the
  // check must be written out here for the Node-only import to drop out of the edge bundle.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServerOrExit } = await import("@/lib/startup");
    await startServerOrExit();
  }
}
