import { readFile } from "node:fs/promises";
import { Ledger } from "../ledger/ledger.js";
import { createLocalLedgerStore } from "../ledger/local-store.js";
import {
  addLocalComment,
  createLocalIssue,
  createLocalPlatform,
  readLocalComments,
  readLocalIssue,
} from "../platform/local/index.js";
import type { LocalComment } from "../platform/local/index.js";
import type { Platform } from "../platform/types.js";
import { redactingPlatform } from "../platform/redacting-platform.js";
import { childLogger, createLogger, type Logger } from "../util/log.js";
import { pino } from "pino";
import { CliUsageError } from "./io.js";

/** The ports of the local platform (SPEC §11.1) for one CLI invocation. */
export interface LocalServices {
  platform: Platform;
  ledger: Ledger;
  log: Logger;
  local: {
    createIssue(issue: { number: number; title: string; body: string; author: string }): Promise<void>;
    issueExists(number: number): Promise<boolean>;
    addComment(issue: number, comment: { author: string; body: string }): Promise<LocalComment>;
    commentsAfter(issue: number, commentId: number): Promise<LocalComment[]>;
  };
}

export interface LocalServicesOptions {
  /** Where the engine logs; by default stderr, so stdout carries only what okstra answered. */
  log?: Logger;
  /** The task this invocation works on: bound to every line, the ledger's included. */
  task?: number;
}

export async function openLocalServices(
  repoDir: string,
  actor: string | undefined,
  options: LocalServicesOptions = {},
): Promise<LocalServices> {
  const root =
    options.log ?? createLogger({ level: process.env.LOG_LEVEL ?? "warn", destination: pino.destination(2) });
  const log = options.task === undefined ? root : childLogger(root, { task: options.task });
  return {
    platform: redactingPlatform(createLocalPlatform({ repoDir, actor })),
    ledger: new Ledger(createLocalLedgerStore(repoDir), { log }),
    log,
    local: {
      async createIssue(issue) {
        await createLocalIssue(repoDir, issue);
      },
      async issueExists(number) {
        return (await readLocalIssue(repoDir, number)) !== null;
      },
      addComment: (issue, comment) => addLocalComment(repoDir, issue, comment),
      async commentsAfter(issue, commentId) {
        return (await readLocalComments(repoDir, issue)).filter((comment) => comment.id > commentId);
      },
    },
  };
}

/**
 * An issue file is markdown whose first `# ` heading is the title and the
 * rest the body, or JSON `{ "title": …, "body": … }`.
 */
export async function readIssueFile(file: string): Promise<{ title: string; body: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CliUsageError(`cannot read --issue-file ${file}`);
  }
  if (file.endsWith(".json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CliUsageError(`--issue-file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    const { title, body } = (parsed ?? {}) as { title?: unknown; body?: unknown };
    if (typeof title !== "string" || !title.trim())
      throw new CliUsageError(`--issue-file ${file} needs a non-empty "title"`);
    return { title: title.trim(), body: typeof body === "string" ? body : "" };
  }
  // The first non-blank line is the title, as a person writes it: "# Title" or just "Title".
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const titleAt = lines.findIndex((line) => line.replace(/^#+\s*/, "").trim() !== "");
  if (titleAt < 0)
    throw new CliUsageError(
      `--issue-file ${file} is empty; its first line is the issue's title, e.g. "Export the inventory as CSV"`,
    );
  return {
    title: lines[titleAt].replace(/^#+\s*/, "").trim(),
    body: lines
      .slice(titleAt + 1)
      .join("\n")
      .trim(),
  };
}
