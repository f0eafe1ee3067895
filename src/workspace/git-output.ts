/**
 * Parsers for the git output the workspace reads. Each parses a format okstra
 * asked for explicitly (NUL separators, `--unified=0`, fixed prefixes), never
 * git's human-oriented default.
 */

export interface CommitInfo {
  sha: string;
  parents: string[];
  /** The first paragraph, on one line (`%s`). */
  subject: string;
  /** The full raw message, trailers included (`%B`). */
  message: string;
}

export type FileChangeStatus = "added" | "modified" | "deleted" | "type-changed";

export interface ChangedFile {
  path: string;
  status: FileChangeStatus;
}

export interface AddedLine {
  /** 1-based line number in the new version of the file. */
  line: number;
  text: string;
}

export interface FileAddedLines {
  path: string;
  lines: AddedLine[];
}

/** `git log -z --format=LOG_FORMAT`: one NUL-terminated record per commit. */
export const LOG_FORMAT = "%H%n%P%n%s%n%B";

export function parseLog(raw: string): CommitInfo[] {
  return raw
    .split("\0")
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const [sha = "", parents = "", subject = "", ...message] = record.replace(/^\n/, "").split("\n");
      return {
        sha,
        parents: parents.split(" ").filter(Boolean),
        subject,
        message: message.join("\n").replace(/\n+$/, "\n"),
      };
    });
}

const STATUS: Record<string, FileChangeStatus> = { A: "added", M: "modified", D: "deleted", T: "type-changed" };

/** `git diff --name-status -z --no-renames`: status and path alternate, NUL-separated. */
export function parseNameStatus(raw: string): ChangedFile[] {
  const fields = raw.split("\0");
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = STATUS[fields[i]!.charAt(0)] ?? "modified";
    files.push({ path: fields[i + 1]!, status });
  }
  return files;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * `git diff --unified=0 --src-prefix=a/ --dst-prefix=b/`: the added lines of
 * each file. Hunk bodies are consumed by the counts in their headers, so an
 * added line that itself starts with `+++ ` or `diff --git` is never taken
 * for a header.
 */
export function parseAddedLines(raw: string): FileAddedLines[] {
  const lines = raw.split("\n");
  const files: FileAddedLines[] = [];
  let current: FileAddedLines | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("diff --git ")) current = null;
    else if (line.startsWith("+++ ")) current = startFile(files, line.slice(4));
    const hunk = HUNK.exec(line);
    if (!hunk) continue;
    let oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
    let newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
    let lineNumber = Number(hunk[2]);
    while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
      const body = lines[++i]!;
      if (body.startsWith("\\")) continue; // "\ No newline at end of file"
      if (body.startsWith("+")) {
        current?.lines.push({ line: lineNumber, text: body.slice(1) });
        newLeft--;
        lineNumber++;
      } else if (body.startsWith("-")) oldLeft--;
      else {
        oldLeft--;
        newLeft--;
        lineNumber++;
      }
    }
  }
  return files.filter((file) => file.lines.length > 0);
}

function startFile(files: FileAddedLines[], header: string): FileAddedLines | null {
  if (header === "/dev/null") return null; // a deleted file adds nothing
  const name = unquotePath(header.replace(/\t$/, "")); // git appends a TAB to names containing a space
  const file = { path: name.replace(/^b\//, ""), lines: [] };
  files.push(file);
  return file;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/** Undoes git's C-style quoting of unusual path names (`"b/tab\there"`, octal UTF-8 bytes). */
export function unquotePath(name: string): string {
  if (!(name.startsWith('"') && name.endsWith('"'))) return name;
  const body = name.slice(1, -1);
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of body.matchAll(/\\([0-7]{3}|[\s\S])/g)) {
    const escaped = match[1]!;
    parts.push(Buffer.from(body.slice(last, match.index), "utf8"));
    parts.push(
      Buffer.from([escaped.length === 3 ? parseInt(escaped, 8) : (ESCAPES[escaped] ?? escaped.charCodeAt(0))]),
    );
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(body.slice(last), "utf8"));
  return Buffer.concat(parts).toString("utf8");
}
