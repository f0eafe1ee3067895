import type { RunManifest } from "../../ledger/index.js";
import type { AssembledGroup } from "./assemble-group.js";
import type { CoveredStage } from "./eligibility.js";

/** `runs/<id>/report.md` of a ship run: what shipped where, or why nothing did. */
export function renderShipReport(input: {
  manifest: RunManifest;
  base: string;
  outcome: string;
  assembled?: AssembledGroup;
  pr?: { number: number; url: string; created: boolean };
  skipped?: readonly CoveredStage[];
  alreadyInBase?: readonly number[];
}): string {
  const { manifest, assembled, pr } = input;
  const lines = [
    `# Ship run ${manifest.id}`,
    "",
    `- Trigger: \`${manifest.trigger.command}\` by @${manifest.trigger.actor}`,
    `- Base: \`${input.base}\``,
    `- Outcome: ${input.outcome}`,
  ];
  if (input.skipped?.length)
    lines.push(
      `- Skipped as already shipped: ${input.skipped.map((s) => `stage ${s.stage} (#${s.group})`).join(", ")}`,
    );
  if (input.alreadyInBase?.length)
    lines.push(`- Skipped as already in \`${input.base}\`: stage ${input.alreadyInBase.join(", ")}`);
  if (pr) lines.push(`- Group PR: [#${pr.number}](${pr.url}) (${pr.created ? "opened" : "reused"})`);
  if (assembled) {
    lines.push(
      "",
      `## \`${assembled.branch}\``,
      "",
      `From \`${assembled.baseCommit}\`, head \`${assembled.head}\`.`,
      "",
      "| stage | stage head | merge commit |",
      "|---|---|---|",
    );
    for (const m of assembled.merges) lines.push(`| ${m.stage} | \`${m.head}\` | \`${m.commit}\` |`);
  }
  return `${lines.join("\n")}\n`;
}
