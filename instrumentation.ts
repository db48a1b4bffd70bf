// Runs once when the Next.js server starts.
export async function register() {
  // NEXT_RUNTIME is a build-time constant the bundler inlines (not configuration), so the
  // check must be written out here for the Node-only import to drop out of the edge bundle.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/startup");
    await startServer();
  }
}
