/**
 * Recognising GitHub's lost-race answers by their documented shape (status
 * and message for REST, the error `type` for GraphQL), without importing the
 * Octokit error classes, which are transitive dependencies of `@octokit/rest`.
 */

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
}

export function httpStatus(error: unknown): number | undefined {
  const status = record(error)?.status;
  return typeof status === "number" ? status : undefined;
}

/** The API's own message (`response.data.message`), falling back to the error's. */
export function apiMessage(error: unknown): string {
  const data = record(record(record(error)?.response)?.data);
  if (typeof data?.message === "string") return data.message;
  return error instanceof Error ? error.message : String(error);
}

/** `PATCH git/refs/{ref}` with `force: false` when the ref moved: 422 "Update is not a fast forward". */
export function isNotFastForward(error: unknown): boolean {
  return httpStatus(error) === 422 && /not a fast.?forward/i.test(apiMessage(error));
}

/** `POST git/refs` when another writer created the branch first: 422 "Reference already exists". */
export function isReferenceExists(error: unknown): boolean {
  return httpStatus(error) === 422 && /reference already exists/i.test(apiMessage(error));
}

/**
 * `createCommitOnBranch` with a stale `expectedHeadOid` answers HTTP 200 with
 * `errors: [{ type: "STALE_DATA", message: 'Expected branch to point to "<oid>" but it did not. Pull and try again.' }]`,
 * which Octokit raises as a GraphqlResponseError carrying `errors`.
 */
export function isStaleHead(error: unknown): boolean {
  const errors = record(error)?.errors;
  if (!Array.isArray(errors)) return false;
  return errors.some((e) => {
    const item = record(e);
    return (
      item?.type === "STALE_DATA" ||
      (typeof item?.message === "string" && /expected branch to point to/i.test(item.message))
    );
  });
}

/** The GraphQL errors' own messages, without Octokit's "Request failed due to…" wrapper. */
export function graphqlMessages(error: unknown): string {
  const errors = record(error)?.errors;
  if (!Array.isArray(errors)) return apiMessage(error);
  return errors.map((e) => String(record(e)?.message ?? e)).join("; ");
}
