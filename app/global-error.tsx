"use client";

import Link from "next/link";

// The last resort, when even the root layout failed: it replaces the layout, so it brings its
// own <html> and <body>, and inline styles (the stylesheet may be what broke).
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: "40rem", margin: "4rem auto", padding: "0 1rem", lineHeight: 1.5 }}>
        <title>Something went wrong · Itinera</title>
        <h1>Something went wrong</h1>
        <p>Itinera could not show this page. Please try again in a moment.</p>
        <p>
          <button type="button" onClick={reset}>
            Try again
          </button>{" "}
          or <Link href="/">go to the start page</Link>.
        </p>
      </body>
    </html>
  );
}
