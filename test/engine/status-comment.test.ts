import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { newRunState } from "../../src/engine/run/run-state.js";
import { StatusComment } from "../../src/engine/run/status-comment.js";
import type { Platform, RateLimitWaitNotice, RateLimitWaits } from "../../src/platform/types.js";

/** Records what a forge would show: the comments and every edit, with the (fake) time of each write. */
function recordingPlatform() {
  const writes: Array<{ kind: "create" | "update"; at: number; body: string }> = [];
  const platform = {
    async createComment(_issue: number, body: string) {
      writes.push({ kind: "create", at: Date.now(), body });
      return { id: 77, author: "okstra[bot]", body, createdAt: "", updatedAt: "" };
    },
    async updateComment(id: number, body: string) {
      expect(id).toBe(77);
      writes.push({ kind: "update", at: Date.now(), body });
    },
  } as unknown as Platform;
  return { platform, writes };
}

describe("StatusComment", () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date("2026-11-21T10:00:00Z") });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("writes a run that finishes at once as a single comment", async () => {
    const { platform, writes } = recordingPlatform();
    const status = new StatusComment(platform, 5);
    const run = newRunState("/okstra help", 9, new Date());
    run.outcome = "succeeded";
    run.body = "usage here";
    await status.finish(run);
    expect(writes.map((w) => w.kind)).toEqual(["create"]);
    expect(writes[0].body).toContain("usage here");
    expect(writes[0].body).toContain('<!-- okstra:run-status {"run":null,"trigger":9} -->');
  });

  it("edits in place, at most once per interval, coalescing to the newest state, and always writes the final one", async () => {
    const { platform, writes } = recordingPlatform();
    const status = new StatusComment(platform, 5, { minIntervalMs: 2000 });
    const run = newRunState("/okstra plan", 9, new Date(), ["context", "analysis", "synthesis"]);

    run.phases[0].state = "running";
    status.update(run);
    await jest.advanceTimersByTimeAsync(10);
    for (const detail of ["a", "b", "c"]) {
      run.phases[0].detail = detail;
      status.update(run);
      await jest.advanceTimersByTimeAsync(100);
    }
    await jest.advanceTimersByTimeAsync(2000);
    run.phases[0].state = "done";
    run.outcome = "succeeded";
    const finished = status.finish(run);
    await jest.advanceTimersByTimeAsync(2000);
    await finished;

    expect(writes.map((w) => w.kind)).toEqual(["create", "update", "update"]);
    expect(writes[1].body).toContain("— c");
    expect(writes[1].body).not.toContain("— a");
    for (let i = 1; i < writes.length; i++) expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual(2000);
    expect(writes[2].body).toContain("✅ done");
  });

  it("skips an edit whose text did not change", async () => {
    const { platform, writes } = recordingPlatform();
    const status = new StatusComment(platform, 5, { minIntervalMs: 0 });
    const run = newRunState("/okstra status", 9, new Date());
    run.finishedAt = new Date().toISOString();
    status.update(run);
    await jest.advanceTimersByTimeAsync(10);
    await status.finish(run);
    expect(writes).toHaveLength(1);
  });

  it("says the run is waiting on GitHub's rate limit and until when, then that it waited (SPEC §8, §10)", async () => {
    const { platform, writes } = recordingPlatform();
    let announce: (wait: RateLimitWaitNotice) => void = () => undefined;
    const waits: RateLimitWaits = { listen: (listener) => ((announce = listener), () => (announce = () => undefined)) };
    const status = new StatusComment(platform, 5, { minIntervalMs: 2000, rateLimitWaits: waits });
    const run = newRunState("/okstra plan", 9, new Date(), ["context"]);
    run.phases[0].state = "running";
    status.update(run);
    await jest.advanceTimersByTimeAsync(10);

    // Another request of the run (not this comment's) is told to wait 30 s.
    announce({ kind: "secondary", until: new Date(Date.now() + 30_000) });
    await jest.advanceTimersByTimeAsync(2000);
    expect(writes.map((w) => w.kind)).toEqual(["create", "update"]);
    expect(writes[1].body).toContain("⏳ waiting for GitHub's secondary rate limit (retry-after) until 10:00:30 UTC");

    await jest.advanceTimersByTimeAsync(30_000);
    run.phases[0].state = "done";
    run.outcome = "succeeded";
    await status.finish(run);
    expect(writes.at(-1)!.body).toContain(
      "⏳ waited for GitHub's secondary rate limit (retry-after) until 10:00:30 UTC",
    );
    // Finished: a later wait (another job's) is no longer this run's.
    announce({ kind: "primary", until: new Date(Date.now() + 60_000) });
    await jest.advanceTimersByTimeAsync(5000);
    expect(writes).toHaveLength(3);
  });
});
