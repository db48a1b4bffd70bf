import net from "node:net";

export type ProxyMode = "up" | "refuse" | "blackhole";

/**
 * A TCP proxy in front of a database, to simulate outages: "refuse" closes the port (new
 * connections are refused, open ones are cut), "blackhole" accepts connections and never
 * answers (a partition), "up" forwards again on the same port.
 */
export async function startTcpProxy(targetPort: number) {
  let mode: ProxyMode = "up";
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };

  const server = net.createServer((client) => {
    track(client);
    if (mode === "blackhole") return;
    const upstream = net.connect(targetPort, "127.0.0.1");
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  await listen(0);
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    async setMode(next: ProxyMode) {
      if (next === mode) return;
      cutAll();
      if (mode === "refuse") await listen(port);
      if (next === "refuse") await new Promise<void>((resolve) => server.close(() => resolve()));
      mode = next;
    },
    async close() {
      cutAll();
      if (mode !== "refuse") await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
