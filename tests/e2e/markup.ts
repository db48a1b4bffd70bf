/** Markup a hostile or confused model might return; it must render as inert text. */
export const MARKUP_TITLE = `<script>window.__pwned = "title"</script>Tea ceremony`;
export const MARKUP_DESCRIPTION = `<img src=x onerror="window.__pwned = 'description'"> A quiet hour.`;

/** A destination containing this gets days that take 2 s longer, so tests can act mid-job. */
export const SLOW_LANE = "Slow Lane";

/** A destination containing this gets days whose places have no coordinates (so no maps). */
export const UNMAPPED = "Unmapped";

/** A destination containing this gets a model that refuses the server's credentials. */
export const UNAUTHORIZED = "Unauthorized";

/** A destination containing this gets days written slowly (streamed at 25 tokens/s), so a test can watch one being written. */
export const SLOW_STREAM = "Slow Stream";

/** A day revision whose instruction contains this is written slowly (streamed at 60 tokens/s), so a test can watch it. */
export const SLOW_REVISION = "take your time";

/** A day revision whose instruction contains this is rejected by the model, so the revision fails. */
export const FAILING_REVISION = "impossible";
