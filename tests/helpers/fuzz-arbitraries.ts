import fc from "fast-check";

// Generators for fuzzing the public routes and the form action. Each case is plain data
// (text, bytes, header values); tests/integration/fuzz-routes.test.ts decides what the app
// must answer. Placeholders like KNOWN_ID are swapped for live values when a case runs.

export const ORIGIN = "http://localhost:3000";
const MS_PER_DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * MS_PER_DAY).toISOString().slice(0, 10);

/** Characters that break naive code: NUL, lone surrogates, bidi and zero-width marks, emoji. */
const EDGE_PIECES = [
  "\u0000", "\ud800", "\udfff", "\udc00\ud800", "\u200b", "\u200d", "\u200e", "\u202e", "\u2066",
  "\ufeff", "\ufffd", "\uffff", "\u0301", "\u00a0", "\u3000", "\t", "\n", "\r\n", "😀", "👩‍👩‍👧",
  "🇵🇹", "é", "é", "ß", "İ", "ﬃ", "Ω", "אבג", "مرحبا", "東京", "\\", '"', "'", "<script>", "%00",
  "${x}", "../", "{{x}}", "Lisbon", "  ",
];

export const edgeString = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...EDGE_PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

/** Values a field should reject (or, for a few, accept): wrong types, numbers as text, edges. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 1.5, 14, 15, 20, 21, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 5e-324),
  fc.constantFrom("3", " 3", "3.0", "1e1", "0x10", "NaN", "Infinity", "-Infinity", "null", "undefined", "", " "),
  fc.integer().map(String),
  fc.double(),
  edgeString,
  fc.constantFrom("relaxed", "PACKED", "luxury", "budget ", "moderate"),
  fc.constantFrom("2027-02-29", "2028-02-29", "0000-01-01", "9999-12-31", "2026-13-01", "2026-1-1", "tomorrow"),
  fc.integer({ min: -3, max: 740 }).map(isoDay),
  fc.array(edgeString, { maxLength: 12 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A request the schema accepts. Short trips, so the demo jobs they start finish quickly. */
export const validRequest = fc.record(
  {
    destination: fc.constantFrom("Lisbon, Portugal", "Kyoto", "Oaxaca, Mexico", "Tromsø"),
    durationDays: fc.integer({ min: 1, max: 2 }),
    startDate: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 700 }).map(isoDay)),
    interests: fc.array(fc.constantFrom("food", "Art", "hiking", "ART"), { maxLength: 4 }),
    pace: fc.constantFrom("relaxed", "balanced", "packed"),
    budget: fc.constantFrom("budget", "moderate", "luxury"),
    travellers: fc.integer({ min: 1, max: 20 }),
  },
  { requiredKeys: ["destination", "durationDays"] },
);

const FIELDS = ["destination", "durationDays", "startDate", "interests", "pace", "budget", "travellers"];

/** A valid request with one field replaced, removed, or one key added. */
export const nearValidRequest = fc
  .tuple(validRequest, fc.constantFrom(...FIELDS, "extra"), fc.boolean(), nastyValue, edgeString)
  .map(([request, field, remove, value, extraKey]) => {
    const copy: Record<string, unknown> = { ...request };
    if (field === "extra") copy[extraKey || "extra"] = value;
    else if (remove) delete copy[field];
    else copy[field] = value;
    return copy;
  });

/** Number literals JSON.stringify cannot write: overflow, long mantissas, invalid forms. */
export const rawNumberBody = fc
  .tuple(
    fc.constantFrom("durationDays", "travellers"),
    fc.constantFrom(
      "1e400", "-1e400", `1${"0".repeat(400)}`, "2.0000000000000001", "1.9999999999999999", "0.1e1", "1E0",
      "-0", "00", "01", "+1", ".5", "1.", "NaN", "Infinity", "0x1", "1_0", "2e0", "1e-400",
    ),
  )
  .map(([field, literal]) =>
    field === "durationDays"
      ? `{"destination":"Rome","durationDays":${literal}}`
      : `{"destination":"Rome","durationDays":2,"travellers":${literal}}`,
  );

/** Deep nesting: balanced (parses, or is too large) and unbalanced (5,000 bare `[` or `{`). */
export const deepBody = fc
  .tuple(
    fc.constantFrom(5000, 1000, 2700, 4000, 8000),
    fc.constantFrom("array", "object", "interests", "open-brackets", "open-braces"),
  )
  .map(([depth, shape]) => {
    if (shape === "open-brackets") return "[".repeat(depth);
    if (shape === "open-braces") return "{".repeat(depth);
    if (shape === "array") return "[".repeat(depth) + "]".repeat(depth);
    if (shape === "object") return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    return `{"destination":"Rome","durationDays":2,"interests":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  });

/** Keys that would pollute Object.prototype if a parser or merge copied them blindly. */
export const pollutedBody = fc
  .tuple(
    fc.constantFrom("__proto__", "constructor", "prototype"),
    fc.constantFrom("top", "nested", "only"),
    fc.boolean(),
  )
  .map(([key, where, withValidFields]) => {
    const payload = key === "constructor" ? '{"prototype":{"polluted":true}}' : '{"polluted":true}';
    const fields = withValidFields ? '"destination":"Rome","durationDays":2,' : "";
    if (where === "nested") return `{${fields}"interests":{"${key}":${payload}}}`;
    if (where === "only") return `{"${key}":${payload}}`;
    return `{"${key}":${payload},${fields}"pace":"relaxed"}`;
  });

export const malformedJson = fc.oneof(
  fc.constantFrom(
    "", "   ", "\n", "{", "}", "[1,]", "{'a':1}", "NaN", "undefined", '{"a":1}{"b":2}', "//c\n{}",
    '{"destination":"Rome",}', "{destination:1}", '"unterminated', "\u0000", "[\u0000]", "tru", "nul",
  ),
  fc.string({ maxLength: 40 }),
  fc.json().chain((text) => fc.nat(Math.max(0, text.length - 1)).map((cut) => text.slice(0, cut))),
);

/** Bodies that are too large in bytes (some only because of multi-byte characters). */
export const oversizedBody = fc
  .tuple(fc.integer({ min: 16_385, max: 48_000 }), fc.constantFrom("destination", "spaces", "multibyte", "array"))
  .map(([bytes, shape]) => {
    if (shape === "spaces") return `{"destination":"Rome","durationDays":2}${" ".repeat(bytes)}`;
    if (shape === "multibyte") return `{"destination":"${"é".repeat(Math.ceil(bytes / 2))}","durationDays":2}`;
    if (shape === "array") return `[${"1,".repeat(Math.ceil(bytes / 2))}1]`;
    return `{"destination":"${"x".repeat(bytes)}","durationDays":2}`;
  });

/** Exactly at the limit: must not be refused as too large. */
export const atLimitBody = fc
  .constantFrom(16_384, 16_383)
  .map((bytes) => {
    const head = '{"destination":"Rome","durationDays":2}';
    return head + " ".repeat(bytes - head.length);
  });

export const ACCEPTED_CONTENT_TYPES = [
  "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.api+json",
  "application/merge-patch+json", "application/json;charset=latin1", "application/json ; x=y",
];
export const REJECTED_CONTENT_TYPES = [
  "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx",
  "json", "application/json-seq", "text/json", "", ";application/json", "application/xml", "application/+jsonp",
];

/** A header value a client can send: ASCII, or UTF-8 bytes as Node presents them (latin1). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  edgeString
    .map((text) => Buffer.from(text, "utf8").toString("latin1").replace(/[\0\r\n]/g, ""))
    .filter((text) => text.length > 0),
);

/** An X-Forwarded-For value: addresses, lists, blanks and junk. */
export const clientAddress = fc.oneof(
  fc.constantFrom("203.0.113.7", "::1", "10.0.0.1, 203.0.113.7", "", " , ", "unknown", "1.1.1.1".repeat(100)),
  headerValue,
);

export const contentType = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...ACCEPTED_CONTENT_TYPES) },
  { weight: 3, arbitrary: fc.constantFrom(...REJECTED_CONTENT_TYPES, null) },
  { weight: 1, arbitrary: headerValue },
);

export const idempotencyKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom("key-a", "key-b", "key-c") },
  { weight: 2, arbitrary: headerValue },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "\t") },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 300, 4096).map((length) => "k".repeat(length)) },
  { weight: 1, arbitrary: fc.uuid() },
);

/**
 * How the body travels: bytes, a chunked stream (no length known up front) or a string (which
 * fetch labels text/plain unless told otherwise); Content-Length exact, absent, lying or junk.
 */
export const transport = fc.record({
  contentLength: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("none", "exact") },
    { weight: 1, arbitrary: fc.constantFrom("10", "abc", "-1", "999999", " 20000 ", "1e9") },
  ),
  body: fc.constantFrom("bytes", "bytes", "stream", "string"),
  chunkBytes: fc.constantFrom(1, 7, 1024, 16_384, 65_536),
});

/** Bytes that are not UTF-8, alone or inside an otherwise valid request. */
export const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((junk) =>
    Buffer.concat([Buffer.from('{"destination":"Ro'), junk, Buffer.from('me","durationDays":1}')]),
  ),
);

export const uuidLike = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
  fc.tuple(fc.uuid(), fc.nat(35), fc.constantFrom("g", "-", "", "00", " ", "Z")).map(
    ([id, at, piece]) => id.slice(0, at) + piece + id.slice(at + 1),
  ),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => id.replaceAll("-", "")),
  fc.uuid().map((id) => ` ${id}\n`),
);

/** Route ids: uuids, near-uuids, paths, SQL, unicode; KNOWN_ID is a job that exists. */
export const routeId = fc.oneof(
  { weight: 4, arbitrary: uuidLike },
  { weight: 2, arbitrary: fc.constantFrom("KNOWN_ID", "KNOWN_ID_UPPER", "KNOWN_ID_PADDED") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "../../etc/passwd", "a/b", "%2e%2e%2f", "", ".", "..", "index.html", "cancel", "%00", "\\", "//",
      "' OR 1=1 --", "1; DROP TABLE itineraries;--", "00000000-0000-0000-0000-000000000000' OR '1'='1",
      "$1", "NULL", "null", "undefined", "-1", "0", "1e309",
    ),
  },
  { weight: 2, arbitrary: edgeString },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
);

const cursorOf = (createdAt: string, id: string) => Buffer.from(`${createdAt}|${id}`).toString("base64url");

/** List query parameters, each tagged: does the schema accept it (undefined: don't care)? */
type Param = { key: string; value: string; valid?: boolean };

const limitParam = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map((n): Param => ({ key: "limit", value: String(n), valid: true })),
  fc
    .constantFrom("0", "101", "-1", "1.5", "abc", "", "NaN", "Infinity", "1e3", "٣", "2147483648", "1,2")
    .map((value): Param => ({ key: "limit", value, valid: false })),
  fc.constantFrom("0x10", " 5 ", "1e1", "05").map((value): Param => ({ key: "limit", value })),
);

const statusParam = fc.oneof(
  fc.constantFrom("processing", "completed", "failed", "cancelled").map((value): Param => ({ key: "status", value, valid: true })),
  fc.oneof(fc.constantFrom("PROCESSING", "done", "", " completed"), edgeString).map(
    (value): Param => ({ key: "status", value, valid: false }),
  ),
);

const cursorParam = fc.oneof(
  fc.constant<Param>({ key: "cursor", value: "KNOWN_CURSOR", valid: true }),
  fc
    .tuple(
      fc.oneof(
        fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
          .map((date) => date.toISOString()),
        fc.constantFrom("1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2024-02-29T12:00:00Z"),
      ),
      fc.oneof(fc.uuid(), fc.constant("00000000-0000-0000-0000-000000000000")),
    )
    .map(([createdAt, id]): Param => ({ key: "cursor", value: cursorOf(createdAt, id), valid: true })),
  fc
    .oneof(
      fc.base64String({ maxLength: 60 }),
      fc.string({ maxLength: 60 }),
      fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 40 })).map(([a, b]) => cursorOf(a, b)),
      fc.uuid().map((id) => cursorOf("2024-13-01T00:00:00Z", id)),
      // Valid ISO 8601, but no Postgres timestamp has year 0.
      fc.uuid().map((id) => cursorOf("0000-01-01T00:00:00Z", id)),
      fc.uuid().map((id) => cursorOf("2024-01-01T00:00:00Z", `${id}|x`)),
    )
    .map((value): Param => ({ key: "cursor", value })),
);

const otherParam = fc
  .tuple(fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "q", "limit[]", ""), edgeString), edgeString)
  .map(([key, value]): Param => ({ key, value, valid: true }));

export const listQuery = fc.record({
  params: fc.array(fc.oneof(limitParam, statusParam, cursorParam, otherParam), { maxLength: 5 }),
  /** Raw garbage appended to the query string without encoding: "%zz", "&&", "=". */
  garbage: fc.constantFrom("", "", "", "&%zz", "&&&", "&=", "&limit", "&%E0%A4%A", "#frag", "&;"),
});

export const FORM_FIELDS = [
  "destination", "durationDays", "startDate", "interests", "customInterests", "pace", "budget", "travellers",
];

/** Form text as it reaches the action: multipart bodies are UTF-8, so never a lone surrogate. */
const formText = fc
  .oneof(nastyValue.map((value) => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""))), edgeString)
  .map((text) => text.toWellFormed());

/** Form entries: a valid base, then fields set (or appended again) with text or a file. */
export const formEntries = fc
  .tuple(
    validRequest,
    fc.boolean(),
    fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...FORM_FIELDS), edgeString.map((name) => name.toWellFormed())),
        fc.oneof({ weight: 6, arbitrary: formText }, { weight: 1, arbitrary: fc.constant<"FILE">("FILE") }),
        fc.boolean(),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([base, keepBase, extra]) => {
    const entries: Array<[string, string]> = keepBase
      ? [
          ["destination", base.destination],
          ["durationDays", String(base.durationDays)],
          ["startDate", base.startDate ?? ""],
          ...(base.interests ?? []).map((tag): [string, string] => ["interests", tag]),
          ["pace", base.pace ?? ""],
          ["budget", base.budget ?? ""],
          ["travellers", base.travellers === undefined ? "" : String(base.travellers)],
        ]
      : [];
    return { entries, extra };
  });

export function formDataOf({ entries, extra }: { entries: Array<[string, string]>; extra: Array<[string, string, boolean]> }) {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  for (const [name, value, append] of extra) {
    const entry = value === "FILE" ? new File(["Rome"], "destination.txt", { type: "text/plain" }) : value;
    if (append) data.append(name, entry);
    else data.set(name, entry);
  }
  return data;
}

// --- POST /api/itineraries: a generated case, and the Request it becomes.

/** A body as text (counterexamples stay readable); raw bytes travel as latin1 text. */
export type Body = { kind: string; text: string; latin1?: true };
const bodyOf = (kind: string) => (text: string): Body => ({ kind, text });
export const bytesOf = (body: Body) => (body.latin1 ? Buffer.from(body.text, "latin1") : new TextEncoder().encode(body.text));

export const postCase = fc.record({
  body: fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue().map((value) => bodyOf("json-value")(JSON.stringify(value))) },
    { weight: 6, arbitrary: nearValidRequest.map((value) => bodyOf("near-valid")(JSON.stringify(value))) },
    { weight: 1, arbitrary: validRequest.map((value) => bodyOf("valid")(JSON.stringify(value))) },
    { weight: 1, arbitrary: rawNumberBody.map(bodyOf("raw-number")) },
    { weight: 1, arbitrary: deepBody.map(bodyOf("deep")) },
    { weight: 1, arbitrary: pollutedBody.map(bodyOf("polluted")) },
    { weight: 2, arbitrary: malformedJson.map(bodyOf("malformed")) },
    { weight: 1, arbitrary: oversizedBody.map(bodyOf("oversized")) },
    { weight: 1, arbitrary: atLimitBody.map(bodyOf("at-limit")) },
    {
      weight: 1,
      arbitrary: rawBytes.map((bytes): Body => ({ kind: "raw-bytes", text: Buffer.from(bytes).toString("latin1"), latin1: true })),
    },
  ),
  contentType,
  idempotencyKey,
  forwardedFor: fc.option(clientAddress),
  transport,
});
export type PostCase = typeof postCase extends fc.Arbitrary<infer T> ? T : never;

function streamOf(bytes: Uint8Array, chunkBytes: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}

export function postRequest(sample: PostCase): Request {
  const bytes = bytesOf(sample.body);
  const { contentLength, body: carrier, chunkBytes } = sample.transport;
  const headers = new Headers();
  if (sample.contentType !== null) headers.set("content-type", sample.contentType);
  if (sample.idempotencyKey !== null) headers.set("idempotency-key", sample.idempotencyKey);
  if (sample.forwardedFor !== null) headers.set("x-forwarded-for", sample.forwardedFor);
  const length = contentLength === "exact" ? String(bytes.length) : contentLength;
  if (length !== "none") headers.set("content-length", length);
  const body =
    carrier === "stream" ? streamOf(bytes, chunkBytes) : carrier === "string" ? new TextDecoder().decode(bytes) : bytes;
  return new Request(`${ORIGIN}/api/itineraries`, { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

