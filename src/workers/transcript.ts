import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { WorkerRequest } from "./types.js";

/** Enough of the end of an attempt's output to see why it ended, small enough for a ledger file. */
export const TAIL_CHARS = 8 * 1024;

export function tail(text: string, chars: number = TAIL_CHARS): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/** Writes one attempt's full transcript under `dir`, named so a run's files sort by role, stage, worker and attempt. */
export async function saveTranscript(
  dir: string,
  request: WorkerRequest,
  worker: string,
  attempt: number,
  text: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stage = request.stage === undefined ? "" : `-s${request.stage}`;
  const round = request.round === undefined ? "" : `-r${request.round}`;
  // Parallel workers of one role (two verifiers) differ by provider and model.
  const who = worker.replace(/[^\w.-]+/g, "_");
  const file = path.join(dir, `${request.role}${stage}${round}-${who}-a${attempt}.log`);
  await writeFile(file, text, "utf8");
  return file;
}
