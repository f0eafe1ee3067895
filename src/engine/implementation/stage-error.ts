import { redactSecrets } from "../../util/redact.js";
import { GitError } from "../../util/git.js";
import { PushRejectedError } from "../../workspace/errors.js";

/**
 * A failure as the user should read it. Git's own words for a refused
 * credential ("could not read Username … terminal prompts disabled") do not
 * say what happened, so the common cases are named; credentials are never
 * part of the text (the header is never on a command line or in a URL).
 */
export function describeStageError(error: unknown): { reason: string; detail: string } {
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  if (error instanceof PushRejectedError) return { reason: "push-rejected", detail: message };
  const failure =
    error instanceof GitError
      ? error.failure
      : error instanceof Error && error.cause instanceof GitError
        ? error.cause.failure
        : "other";
  if (failure === "auth") {
    return {
      reason: "git-auth-failed",
      detail: `the git server refused okstra's credentials (HTTP 401): the installation token was not accepted. ${message}`,
    };
  }
  if (failure === "permission") {
    return {
      reason: "git-permission-denied",
      detail: `the git server refused the push (HTTP 403): the App needs \`contents: write\` on this repository. ${message}`,
    };
  }
  return { reason: "error", detail: message };
}
