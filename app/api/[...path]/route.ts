import { unknownApiPath } from "@/lib/api/routes";

// Any other /api path – 404 in the error envelope, whatever the method, so API clients
// never get the HTML not-found page.
const notFound = (request: Request) => unknownApiPath(new URL(request.url).pathname);

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
