import type { VerificationContext } from "./verification-context.js";
import type { PhaseStep, RunLink, RunOutcome, StepState } from "../run/run-state.js";

/**
 * Where a verification run shows itself (SPEC §8): on its own run status
 * comment for `/okstra verify` and a re-requested check run, or — for
 * `verification.autoVerify` — as more lines on the implementation run's
 * status comment, so one command keeps one status. In that case the
 * implementation's outcome is put back when verification ends: its exit code
 * and heading belong to the implementation, whatever the verdicts.
 */
export class VerificationDisplay {
  private readonly steps = new Map<string, PhaseStep>();
  private saved: { outcome: RunOutcome; finishedAt?: string } | null = null;
  private run = "";

  constructor(
    private readonly context: VerificationContext,
    private readonly embedded: boolean,
  ) {}

  begin(run: string, steps: readonly string[]): void {
    const state = this.context.run;
    this.run = run;
    if (this.embedded) {
      this.saved = { outcome: state.outcome, finishedAt: state.finishedAt };
      state.outcome = "running";
      state.finishedAt = undefined;
    } else {
      state.runId = run;
      state.phases = [];
    }
    for (const name of steps) {
      const step: PhaseStep = { name: this.embedded ? `Verification \`${run}\` · ${name}` : name, state: "pending" };
      this.steps.set(name, step);
      state.phases.push(step);
    }
    this.context.status.update(state);
  }

  step(name: string, state: StepState, detail?: string): void {
    const step = this.steps.get(name);
    if (!step) return;
    step.state = state;
    step.detail = detail;
    this.context.status.update(this.context.run);
  }

  async finish(outcome: "succeeded" | "failed", body: string, links: readonly RunLink[]): Promise<void> {
    const state = this.context.run;
    const now = this.context.services.now().toISOString();
    for (const step of this.steps.values()) if (step.state === "running") step.state = "failed";
    if (this.embedded && this.saved) {
      state.outcome = this.saved.outcome;
      state.body = [state.body, `**Verification** (\`${this.run}\`)`, body].filter(Boolean).join("\n\n");
    } else {
      state.outcome = outcome;
      state.body = body;
    }
    state.finishedAt = now;
    state.links = [...state.links, ...links];
    await this.context.status.finish(state);
  }
}
