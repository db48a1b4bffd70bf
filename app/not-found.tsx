import Link from "next/link";

export default function NotFound() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p>
        <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
          Plan a trip
        </Link>
      </p>
    </div>
  );
}
