import type { Metadata } from "next";

// Trips are shared by link, never listed: no search engine indexes a trip or the History page.
export const metadata: Metadata = { robots: { index: false } };

export default function ItinerariesLayout({ children }: { children: React.ReactNode }) {
  return children;
}
