// A webhook callback URL as the request schema accepts it: http(s), no credentials, a
// bounded length. Whether its host is public is the webhook module's question, asked at
// submit and again when sending (lib/webhooks/url-guard.ts).

export const CALLBACK_URL_MESSAGE = "callbackUrl must be a public http(s) URL";
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** An http(s) URL without credentials, or null. The WHATWG parser normalizes the host. */
export function parseCallbackUrl(value: string): URL | null {
  if (value.length > MAX_CALLBACK_URL_LENGTH || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "" || url.hostname === "") return null;
  return url.href.length > MAX_CALLBACK_URL_LENGTH ? null : url;
}
