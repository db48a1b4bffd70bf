"use client";

import Link from "next/link";
import { DATABASE_UNAVAILABLE_DIGEST, ServiceUnavailable } from "@/components/service-unavailable";

/** A page failed to render: say so plainly, offer to try again; never show the error itself. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  if (error.digest === DATABASE_UNAVAILABLE_DIGEST) return <ServiceUnavailable />;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Something went wrong</h1>
      <p>This page could not be shown. It was our fault, not yours; trying again often helps.</p>
      <p className="flex gap-4">
        <button type="button" onClick={reset} className="font-medium text-brand-700 underline dark:text-brand-100">
          Try again
        </button>
        <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
          Plan a trip
        </Link>
      </p>
    </div>
  );
}
