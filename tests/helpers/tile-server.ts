import { createServer, type Server } from "node:http";
import { deflateSync } from "node:zlib";

// A stand-in map tile server for browser tests (they reach no other host): every
// /tiles/{z}/{x}/{y}.png answers with one small PNG, and the server counts what it served.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 1×1 PNG of one colour (Leaflet stretches each tile to 256×256). */
export function solidPng([r, g, b]: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const pixels = deflateSync(Buffer.from([0, r, g, b]));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

export interface TileServer {
  /** The URL template to give the app as MAP_TILE_URL. */
  template: string;
  /** How many tiles were served. */
  served(): number;
  close(): Promise<void>;
}

export async function startTileServer({ port = 0, host = "127.0.0.1" }: { port?: number; host?: string } = {}): Promise<TileServer> {
  const tile = solidPng([226, 232, 220]);
  let served = 0;
  const server: Server = createServer((request, response) => {
    if (request.method === "GET" && /^\/tiles\/\d+\/-?\d+\/-?\d+\.png$/.test(request.url ?? "")) {
      served += 1;
      response.writeHead(200, { "content-type": "image/png", "content-length": tile.length, "cache-control": "no-store" });
      response.end(tile);
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not a tile");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    template: `http://${host}:${actualPort}/tiles/{z}/{x}/{y}.png`,
    served: () => served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
