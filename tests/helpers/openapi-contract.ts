import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// Checks a live Response against what an OpenAPI 3.1 document declares for its path,
// method, status and content type: body (JSON Schema 2020-12, via Ajv) and headers.

type JsonObject = Record<string, unknown>;

interface MediaType {
  schema?: JsonObject;
}
interface HeaderObject {
  required?: boolean;
  schema?: JsonObject;
}
interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaType>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, JsonObject> };
}

export interface Checked {
  path: string;
  method: string;
  status: number;
}

/** Rewrites "#/components/schemas/X" to "#/$defs/X" so a fragment compiles on its own. */
function localRefs<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/'),
  ) as T;
}

export function contractChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const defs = localRefs(document.components?.schemas ?? {});
  const compiled = new Map<string, ValidateFunction>();
  const checked: Checked[] = [];

  function compile(key: string, schema: JsonObject): ValidateFunction {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ ...localRefs(schema), $defs: defs });
      compiled.set(key, validate);
    }
    return validate;
  }

  function declared(path: string, method: string, status: number): ResponseObject {
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`The document has no ${method} ${path}`);
    const response = operation.responses[String(status)];
    if (!response) {
      throw new Error(
        `${method} ${path} answered ${status}, which the document does not declare (it declares ${Object.keys(operation.responses).join(", ")})`,
      );
    }
    return response;
  }

  /** Schema errors of a value against a schema fragment, or [] when it is valid. */
  function errorsOf(key: string, schema: JsonObject, value: unknown): string[] {
    const validate = compile(key, schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`);
  }

  /**
   * Validates the response and returns its parsed body (JSON, text or null for no body).
   * Throws with the reasons when the response breaks the contract.
   */
  async function check(path: string, method: string, response: Response): Promise<unknown> {
    const spec = declared(path, method, response.status);
    const where = `${method} ${path} ${response.status}`;
    const problems: string[] = [];

    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`missing required header ${name}`);
        continue;
      }
      const schema = header.schema ?? {};
      const typed = schema.type === "integer" || schema.type === "number" ? Number(value) : value;
      for (const error of errorsOf(`${where} header ${name}`, schema, typed)) {
        problems.push(`header ${name}: ${error}`);
      }
    }

    const text = await response.text();
    const mediaTypes = Object.keys(spec.content ?? {});
    let body: unknown = null;
    if (mediaTypes.length === 0) {
      if (text !== "") problems.push(`a body was sent where none is declared: ${text.slice(0, 80)}`);
    } else {
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const media = spec.content?.[contentType];
      if (!media) {
        problems.push(`content type ${contentType || "(none)"} is not among ${mediaTypes.join(", ")}`);
      } else {
        body = contentType === "application/json" ? (JSON.parse(text) as unknown) : text;
        for (const error of errorsOf(`${where} ${contentType}`, media.schema ?? {}, body)) {
          problems.push(`body ${error}`);
        }
      }
    }

    if (problems.length > 0) throw new Error(`${where} breaks the contract:\n  ${problems.join("\n  ")}`);
    checked.push({ path, method: method.toUpperCase(), status: response.status });
    return body;
  }

  /** Validates a value against a named component schema (e.g. an SSE event's data). */
  function checkComponent(name: string, value: unknown): void {
    const errors = errorsOf(`component ${name}`, { $ref: `#/$defs/${name}` }, value);
    if (errors.length > 0) throw new Error(`${name} breaks the contract:\n  ${errors.join("\n  ")}`);
  }

  return { check, checkComponent, checked };
}
