export type { GitHubClient } from "./client.js";
export { createGitHubPlatform, type GitHubPlatformOptions } from "./platform.js";
export { MAX_ANNOTATIONS_PER_REQUEST, MAX_OUTPUT_TEXT_CHARS, truncateWithNotice } from "./check-limits.js";
