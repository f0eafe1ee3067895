import type { Verb } from "./types.js";

/** One usage line and one sentence per verb: the single source of `/okstra help` and of every usage reply. */
export const VERB_USAGE: Record<Verb, { usage: string; summary: string }> = {
  plan: {
    usage: "/okstra plan [--base BRANCH] [--workers PROVIDER,PROVIDER]",
    summary: "Plan this issue as a DAG of small stages (replaces an unapproved plan).",
  },
  replan: {
    usage: "/okstra replan",
    summary: "Plan again, superseding the current plan; unchanged done stages stay done.",
  },
  approve: { usage: "/okstra approve", summary: "Approve the current plan version (bound to its digest)." },
  implement: {
    usage: "/okstra implement [--stage auto|N]",
    summary: "Implement the ready stages (`auto`, the default) or exactly stage N.",
  },
  verify: {
    usage: "/okstra verify [--stage N]",
    summary: "Verify stage N again, or every done stage not yet verified.",
  },
  ship: {
    usage: "/okstra ship STAGES [--base BRANCH]",
    summary: "Assemble verified stages into one pull request; STAGES is `1,2,4`, `1-3` or `all`.",
  },
  status: { usage: "/okstra status", summary: "Show the task's ledger: stages × started / done / verified / PR." },
  retry: { usage: "/okstra retry [--stage N]", summary: "Run a failed or abandoned stage again." },
  cancel: { usage: "/okstra cancel", summary: "Cancel the task's running runs; partial work stays on its branch." },
  revise: {
    usage: "/okstra revise [--stage N]",
    summary:
      "Continue done stage N from review feedback: the lines after the command, unresolved review threads, change requests (on a stage PR, N is its stage).",
  },
  restack: {
    usage: "/okstra restack [--stage N]",
    summary: "Bring stage branches (or stage N's) up to date with their dependencies' heads by merging them in.",
  },
  adopt: {
    usage: "/okstra adopt [--at LEDGER_COMMIT]",
    summary:
      "Admins: show ledger state okstra did not sign (e.g. written before it signed), then sign it as shown with `--at`.",
  },
  help: { usage: "/okstra help", summary: "Show this help." },
};

export const VERBS = Object.keys(VERB_USAGE) as Verb[];

export function usageOf(verb: Verb): string {
  return VERB_USAGE[verb].usage;
}

/** The full usage, as a markdown list. */
export function fullUsage(): string {
  return VERBS.map((verb) => `- \`${VERB_USAGE[verb].usage}\` — ${VERB_USAGE[verb].summary}`).join("\n");
}
