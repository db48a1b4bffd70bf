/** The error block a field points at with aria-describedby; announced when it changes. */
export function FieldError({ id, errors }: { id: string; errors: string[] | undefined }) {
  return (
    <div id={id} aria-live="polite" aria-atomic="true">
      {errors?.map((error) => (
        <p key={error} className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ))}
    </div>
  );
}
