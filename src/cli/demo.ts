// `npm run demo`: the offline lifecycle on the bundled sample repository (see src/demo/run-demo.ts).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeOutcome, runDemo } from "../demo/run-demo.js";
import { Ledger } from "../ledger/ledger.js";
import { sandboxState } from "../sandbox/index.js";
import { createLocalLedgerStore } from "../ledger/local-store.js";
import { writeViewPage } from "../view/write-view.js";

const root = await mkdtemp(path.join(tmpdir(), "okstra-demo-"));
process.stdout.write(
  `okstra demo — everything below runs offline; every worker replays a recording from fixtures/recordings/.\n`,
);
// The demo's workers are okstra's own recordings replaying on its own sample repository, so on a machine
// without bubblewrap it still runs — unconfined, and it says so. Repository content from anyone else never does (SPEC §14.1).
const sandbox = sandboxState();
if (sandbox.mode === "unavailable" && process.env.OKSTRA_SANDBOX === undefined) {
  process.stdout.write(
    `No worker sandbox on this machine (${sandbox.reason}): the demo's recorded workers run unconfined (OKSTRA_SANDBOX=off). Install bubblewrap to see them sandboxed.\n`,
  );
  process.env.OKSTRA_SANDBOX = "off";
}
const result = await runDemo({
  root,
  onStep: (step) => {
    process.stdout.write(`\n━━ ${step.comment.split("\n")[0]}   (${step.why}) → exit ${step.exitCode}\n`);
    process.stdout.write(`${indent(summarise(step.answer))}\n`);
  },
});
process.stdout.write(`\n━━ Where to look\nThe sample repository (it plays GitHub): ${result.repo}\n`);
for (const line of await describeOutcome(result.repo)) process.stdout.write(`${line}\n`);
const page = await writeViewPage({
  repoDir: result.repo,
  issue: result.issue,
  ledger: new Ledger(createLocalLedgerStore(result.repo)),
});
process.stdout.write(
  `\nThe whole run as one page (issue thread, stage DAG, PRs with their checks, the group PR, the ledger):\n   ${page}\n`,
);
process.stdout.write(`\nTry more: node bin/okstra.js status --repo ${result.repo} --issue 1\n`);
process.exitCode = result.steps.every((s) => s.exitCode === 0 || s.comment.startsWith("/okstra status")) ? 0 : 1;

/** The status comment without its HTML marker and long tables: the checklist and the outcome. */
function summarise(markdown: string): string {
  const lines = markdown.split("\n").filter((l) => !l.startsWith("<!--") && l.trim() !== "");
  return (
    lines.slice(0, 30).join("\n") + (lines.length > 30 ? `\n… (${lines.length - 30} more lines in the comment)` : "")
  );
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}
