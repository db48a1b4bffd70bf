import type { Metadata, Viewport } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Itinera — AI travel itineraries", template: "%s · Itinera" },
  description: "Plan a trip day by day: tell Itinera where and how long, and watch your itinerary arrive.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafaf9" },
    { media: "(prefers-color-scheme: dark)", color: "#0c0a09" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-stone-900"
        >
          Skip to content
        </a>
        <header className="no-print border-b border-stone-200 dark:border-stone-800">
          <nav
            aria-label="Main"
            className="mx-auto flex max-w-4xl items-center justify-between gap-4 px-4 py-3"
          >
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
              <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 text-brand-600" fill="none" stroke="currentColor" strokeWidth="2">
                <circle cx="12" cy="12" r="10" />
                <path d="m16 8-2.5 5.5L8 16l2.5-5.5z" fill="currentColor" />
              </svg>
              Itinera
            </Link>
            <div className="flex gap-4 text-sm">
              <Link href="/" className="hover:underline">
                New trip
              </Link>
              <Link href="/itineraries" className="hover:underline">
                History
              </Link>
            </div>
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-4xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
