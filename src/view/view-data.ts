import type { LedgerRow } from "../ledger/rows.js";
import type { TaskLedger } from "../ledger/task-ledger.js";
import type { LocalComment, LocalIssue } from "../platform/local/index.js";
import type { CheckConclusion, CheckStatus, PullRequestInfo } from "../platform/types.js";
import type { StageStatus } from "./stage-status.js";

/** Everything the page shows, gathered once (gather-view.ts) and rendered without further I/O. */
export interface ViewData {
  repoDir: string;
  issue: LocalIssue;
  comments: LocalComment[];
  task: TaskLedger;
  plan: ViewPlan | null;
  stages: ViewStage[];
  pulls: ViewPull[];
  rows: LedgerRow[];
  generatedAt: string;
}

export interface ViewPlan {
  title: string;
  summary: string;
  version: number;
}

export interface ViewStage {
  number: number;
  title: string;
  steps: number;
  dependsOn: number[];
  status: StageStatus;
  /** Why it failed, or the verdict's note: shown under the diagram and as the node's tooltip. */
  note: string | null;
}

/** A PR as the page shows it: the platform's fields (no URL: the page links nothing outside itself) plus what okstra knows. */
export interface ViewPull extends Omit<PullRequestInfo, "url"> {
  kind: "stage" | "group";
  stages: number[];
  /** The head branch's commit in DIR, or null when the branch is gone. */
  headSha: string | null;
  checks: ViewCheck[];
}

export interface ViewCheck {
  id: number;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  title: string | null;
}
