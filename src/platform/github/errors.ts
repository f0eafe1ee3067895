/**
 * Octokit throws a `RequestError` carrying the HTTP status. Only a few
 * statuses mean something to the adapter (404 = "absent"), so it checks the
 * status field rather than importing the error class of a transitive package.
 */
export function hasStatus(error: unknown, status: number): boolean {
  return (
    typeof error === "object" && error !== null && "status" in error && (error as { status: unknown }).status === status
  );
}

/** Runs a read whose 404 means "does not exist", returning null for it. */
export async function nullOn404<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (hasStatus(error, 404)) return null;
    throw error;
  }
}

/** Encodes each segment of a slash-separated path (a file path or branch name) but keeps the slashes. */
export function encodePathSegments(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
