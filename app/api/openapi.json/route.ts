import { openApiDocument } from "@/lib/api/openapi";

// GET /api/openapi.json – the OpenAPI 3.1 document, generated from the routes' zod schemas
export const GET = () => Response.json(openApiDocument());
