import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Ledger } from "../ledger/ledger.js";
import { storePath } from "../platform/local/index.js";
import { gatherView } from "./gather-view.js";
import { renderViewPage } from "./render-page.js";

export { ViewUnavailableError } from "./gather-view.js";

/** Where `okstra view` writes by default: beside the rest of the local platform's files, so it is never committed. */
export function defaultViewPath(repoDir: string, issue: number): string {
  return storePath(repoDir, "view", `issue-${issue}.html`);
}

/** Gathers, renders and writes the page for one issue; returns the absolute path written. The demo calls this too. */
export async function writeViewPage(input: {
  repoDir: string;
  issue: number;
  ledger: Ledger;
  out?: string;
  now?: Date;
}): Promise<string> {
  const data = await gatherView(input.repoDir, input.issue, input.ledger, input.now);
  const file = path.resolve(input.out ?? defaultViewPath(input.repoDir, input.issue));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, renderViewPage(data));
  return file;
}
