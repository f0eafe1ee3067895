/**
 * What GitHub would answer with an HTTP error. `status` mirrors Octokit's
 * `RequestError.status` (404 missing, 422 invalid), so a caller that checks
 * the status handles both platforms alike.
 */
export class LocalPlatformError extends Error {
  constructor(
    readonly status: 404 | 422,
    message: string,
  ) {
    super(message);
    this.name = "LocalPlatformError";
  }
}
