import { git } from "../../util/git.js";
import { LocalPlatformError } from "./errors.js";

/**
 * The diff hunk an inline review comment on a local pull request is attached
 * to: GitHub accepts a review comment only on a line of the pull request's
 * diff (`base...head`), and shows the hunk above it. The hunk is cut after the
 * commented line, as GitHub's `diff_hunk` is.
 */
export async function localDiffHunk(
  repoDir: string,
  pull: { number: number; base: string; head: string },
  path: string,
  line: number,
): Promise<string> {
  const { stdout } = await git(
    ["diff", "--no-color", "--no-ext-diff", `refs/heads/${pull.base}...refs/heads/${pull.head}`, "--", path],
    { cwd: repoDir },
  );
  const hunk = hunkContaining(stdout, line);
  if (hunk === null)
    throw new LocalPlatformError(
      422,
      `line ${line} of ${path} is not part of the diff of #${pull.number} (${pull.base}...${pull.head}); comment on a changed line`,
    );
  return hunk;
}

/** The hunk whose new-side range holds `line`, up to and including that line; null when no hunk does. */
export function hunkContaining(diff: string, line: number): string | null {
  const lines = diff.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
    if (!header) continue;
    const start = Number(header[1]);
    const count = header[2] === undefined ? 1 : Number(header[2]);
    if (line < start || line >= start + count) continue;
    const out = [lines[i]!];
    let current = start - 1;
    for (let j = i + 1; j < lines.length && !lines[j]!.startsWith("@@") && current < line; j++) {
      out.push(lines[j]!);
      if (!lines[j]!.startsWith("-")) current += 1;
    }
    return out.join("\n");
  }
  return null;
}
