import type { RunOutcome, RunState, StepState } from "../engine/run/run-state.js";
import type { RateLimitWaitNotice } from "../platform/types.js";

/** The marker that lets okstra find its own status comment again (STYLE §4: idempotent `ensure*`). */
export function runStatusMarker(state: Pick<RunState, "runId" | "triggerCommentId">): string {
  return `<!-- okstra:run-status ${JSON.stringify({ run: state.runId ?? null, trigger: state.triggerCommentId })} -->`;
}

const OUTCOME_HEADING: Record<RunOutcome, string> = {
  running: "⏳ running",
  succeeded: "✅ done",
  failed: "❌ failed",
  refused: "🚫 refused",
  cancelled: "⏹️ cancelled",
  abandoned: "💥 abandoned",
};

const STEP_ICON: Record<StepState, string> = { pending: "◻️", running: "⏳", done: "✓", failed: "✗", skipped: "⤼" };

/** What the footer says beyond the run itself. */
export interface RunStatusNotices {
  /** The forge made the run wait out a rate limit (SPEC §10). */
  rateLimitWait?: RateLimitWaitNotice;
  /** Workers run unconfined on this host (`sandboxOffNotice()`), said on every status comment. */
  unconfined?: string | null;
}

/** Renders the run status comment: heading, phase checklist, workers, timing and usage, body, links, a rate-limit wait. */
export function renderRunStatus(state: RunState, now: Date, notices: RunStatusNotices = {}): string {
  const { rateLimitWait, unconfined } = notices;
  const lines: string[] = [runStatusMarker(state)];
  const run = state.runId ? ` · run \`${state.runId}\`` : "";
  lines.push(`### okstra · \`${state.command}\` · ${OUTCOME_HEADING[state.outcome]}${run}`, "");

  if (state.phases.length > 0) {
    for (const phase of state.phases)
      lines.push(`- ${STEP_ICON[phase.state]} ${phase.name}${phase.detail ? ` — ${phase.detail}` : ""}`);
    lines.push("");
  }

  if (state.workers.length > 0) {
    lines.push("| worker | provider / model | state |", "|---|---|---|");
    for (const worker of state.workers) {
      const model = worker.model ? ` / ${worker.model}` : "";
      const detail = worker.detail ? ` — ${worker.detail}` : "";
      lines.push(
        `| ${worker.role} | ${worker.provider}${model} | ${STEP_ICON[worker.state]} ${worker.state}${detail} |`,
      );
    }
    lines.push("");
  }

  if (state.body) lines.push(state.body.trimEnd(), "");

  if (rateLimitWait) lines.push(renderRateLimitWait(rateLimitWait, now), "");

  const footer = [`⏱ ${formatElapsed(state, now)}`];
  if (state.usage) {
    const { inputTokens, outputTokens, costUsd } = state.usage;
    footer.push(
      `${inputTokens.toLocaleString("en-US")} tokens in / ${outputTokens.toLocaleString("en-US")} out`,
      `$${costUsd.toFixed(2)}`,
    );
  }
  if (unconfined) footer.push(unconfined);
  lines.push(`<sub>${footer.join(" · ")}</sub>`);

  if (state.links.length > 0) lines.push("", state.links.map((link) => `[${link.label}](${link.url})`).join(" · "));
  return lines.join("\n");
}

const WAIT_REASON: Record<RateLimitWaitNotice["kind"], string> = {
  secondary: "secondary rate limit (retry-after)",
  primary: "rate limit (x-ratelimit-reset)",
};

/** While the wait lasts the run is waiting; afterwards the comment keeps that it waited, and until when. */
export function renderRateLimitWait(wait: RateLimitWaitNotice, now: Date): string {
  const until = `${wait.until.toISOString().slice(11, 19)} UTC`;
  return now < wait.until
    ? `⏳ waiting for GitHub's ${WAIT_REASON[wait.kind]} until ${until}`
    : `⏳ waited for GitHub's ${WAIT_REASON[wait.kind]} until ${until}`;
}

function formatElapsed(state: RunState, now: Date): string {
  const end = state.finishedAt ? Date.parse(state.finishedAt) : now.getTime();
  const seconds = Math.max(0, (end - Date.parse(state.startedAt)) / 1000);
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
