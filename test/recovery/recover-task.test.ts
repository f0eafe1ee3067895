import { afterEach, beforeEach, expect, it } from "@jest/globals";
import { LedgerUntrustedError } from "../../src/ledger/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { recoverTask } from "../../src/engine/recovery/recover-task.js";
import { createLocalPlatform } from "../../src/platform/local/index.js";
import { addLocalComment, createLocalIssue, readLocalComments } from "../../src/platform/local/index.js";
import { createMetrics } from "../../src/server/metrics.js";
import { silentLogger } from "../../src/util/log.js";
import { json, minutes, plan, sha, T0, taskMeta, tempRepo, type TempRepo } from "../ledger/fixtures.js";

/**
 * The recovery check on its own, on a real local ledger: which runs it
 * closes, what it writes, which comment it edits, what it counts.
 */

let repo: TempRepo;
let clock: Date;
beforeEach(async () => {
  repo = await tempRepo();
  clock = T0;
});
afterEach(async () => {
  await repo.cleanup();
});

const LEASE_MS = 10 * 60_000;
const services = (metrics = createMetrics()) => ({
  platform: createLocalPlatform({ repoDir: repo.dir, actor: "maintainer" }),
  ledger: new Ledger(createLocalLedgerStore(repo.dir), { now: () => clock }),
  log: silentLogger,
  now: () => clock,
  leaseMs: LEASE_MS,
  metrics,
});
const manifest = (id: string, batch: number[], commentId: number) => ({
  id,
  phase: "implementation",
  trigger: { commentId, deliveryId: `d-${commentId}`, actor: "maintainer", command: "/okstra implement" },
  status: "running",
  batch,
  startedAt: T0.toISOString(),
});

async function seed(): Promise<void> {
  const { ledger } = services();
  await createLocalIssue(repo.dir, { number: 9, title: "Parse and print", body: "", author: "maintainer" });
  await ledger.writeFiles(9, {
    "task.json": json(taskMeta(9)),
    "plan.json": json(
      plan([
        { number: 1, title: "Parser" },
        { number: 2, title: "Printer" },
        { number: 3, dependsOn: [1], title: "CLI" },
      ]),
    ),
    "runs/impl-1/run.json": json(manifest("impl-1", [1, 2], 501)),
    "runs/impl-2/run.json": json(manifest("impl-2", [3], 502)),
  });
  // impl-1 finished stage 1 and died on stage 2; impl-2 holds stage 3 on a longer lease.
  await ledger.claimStages(9, "impl-1", [1, 2], minutes(T0, 10), sha("base"));
  await ledger.appendRows(9, [
    {
      run: "impl-1",
      status: "done",
      stage: 1,
      headCommit: sha("h1"),
      branch: "okstra/9/s1",
      carryPath: "tasks/9/carry/stage-1.json",
    },
  ]);
  await ledger.claimStages(9, "impl-2", [3], minutes(T0, 10), sha("base"));
  await ledger.renewLeases(9, "impl-2", [3], minutes(T0, 30));
}

it("closes the dead run only: abandoned row, run.json and report, its status comment rewritten in place; the live run gets the next check", async () => {
  await seed();
  const person = await addLocalComment(repo.dir, 9, {
    author: "maintainer",
    body: '<!-- okstra:run-status {"run":"impl-1","trigger":501} --> quoted by a person',
  });
  const status = await addLocalComment(repo.dir, 9, {
    author: "okstra[bot]",
    body: '<!-- okstra:run-status {"run":"impl-1","trigger":501} -->\n### okstra · `/okstra implement` · ⏳ running · run `impl-1`',
  });
  clock = minutes(T0, 11);
  const metrics = createMetrics();
  const result = await recoverTask(services(metrics), 9);

  expect(result.abandoned.map((r) => [r.run, r.stage])).toEqual([["impl-1", 2]]);
  expect(result.closedRuns.map((r) => [r.id, r.status])).toEqual([["impl-1", "abandoned"]]);
  expect(result.nextCheckAt).toEqual(new Date(minutes(T0, 30).getTime() + 15_000));
  expect(await metrics.registry.getSingleMetricAsString("okstra_stages_abandoned_total")).toContain(
    "okstra_stages_abandoned_total 1",
  );

  const ledger = services().ledger;
  const task = (await ledger.readTask(9))!;
  expect(task.rows.at(-1)).toMatchObject({ run: "impl-1", status: "abandoned", stage: 2 });
  const view = await ledger.store.snapshot(await ledger.store.head());
  expect(JSON.parse((await view.read("tasks/9/runs/impl-1/run.json"))!)).toMatchObject({
    status: "abandoned",
    finishedAt: minutes(T0, 11).toISOString(),
    outcome: "abandoned: the process running it stopped; lease on stage 2 expired",
  });
  expect(JSON.parse((await view.read("tasks/9/runs/impl-2/run.json"))!).status).toBe("running");
  const report = (await view.read("tasks/9/runs/impl-1/report.md"))!;
  expect(report).toContain("| 1 | done at `");
  expect(report).toContain("| 2 | abandoned — lease expired at 2025-03-01T10:10:00.000Z without done or failed |");

  const comments = await readLocalComments(repo.dir, 9);
  expect(comments.find((c) => c.id === person.id)!.body).toBe(person.body); // a person's comment is never edited
  const edited = comments.find((c) => c.id === status.id)!.body;
  expect(edited).toContain("### okstra · `/okstra implement` · 💥 abandoned · run `impl-1`");
  expect(edited).toContain("- ✓ Stage 1 · Parser — `");
  expect(edited).toContain("- ✗ Stage 2 · Printer — abandoned: lease expired at");
  expect(comments).toHaveLength(2);

  // Again: nothing changes, nothing is written, nothing counted.
  const head = await ledger.store.head();
  const again = await recoverTask(services(metrics), 9);
  expect(again).toMatchObject({ abandoned: [], closedRuns: [] });
  expect(await ledger.store.head()).toBe(head);
  expect(await metrics.registry.getSingleMetricAsString("okstra_stages_abandoned_total")).toContain(
    "okstra_stages_abandoned_total 1",
  );
});

it("writes a status comment for a run that died before its first one", async () => {
  await seed();
  clock = minutes(T0, 31);
  const result = await recoverTask(services(), 9);
  expect(result.closedRuns.map((r) => r.id)).toEqual(["impl-1", "impl-2"]);
  expect(result.nextCheckAt).toBeNull();
  const bodies = (await readLocalComments(repo.dir, 9)).map((c) => c.body);
  expect(bodies.map((b) => /run-status \{"run":"(impl-\d)"/.exec(b)?.[1])).toEqual(["impl-1", "impl-2"]);
  expect(bodies.every((b) => b.includes("💥 abandoned"))).toBe(true);
});

it("does nothing for a task that does not exist", async () => {
  expect(await recoverTask(services(), 404)).toEqual({
    abandoned: [],
    backfilled: [],
    closedRuns: [],
    nextCheckAt: null,
  });
  expect(await services().ledger.store.head()).toBeNull();
});

it("writes nothing on a task whose rows someone edited by hand, so reverting the edit stays the whole repair", async () => {
  await seed();
  const { ledger } = services();
  // A person rewrites stage 1's signed `done` row in place, keeping its `mac`, and pushes.
  const path = "tasks/9/ledger.jsonl";
  const before = await ledger.store.head();
  const text = (await (await ledger.store.snapshot(before)).read(path))!;
  const edited = text.replace(`"headCommit":"${sha("h1")}"`, `"headCommit":"${sha("elsewhere")}"`);
  expect(edited).not.toBe(text);
  const forged = await ledger.store.commit({
    parent: before,
    changes: new Map([[path, edited]]),
    message: "hand edit",
  });
  expect(forged.ok).toBe(true);
  const head = await ledger.store.head();

  clock = minutes(T0, 31); // every lease has run out: on a trusted ledger this closes both runs
  expect(await recoverTask(services(), 9)).toEqual({
    abandoned: [],
    backfilled: [],
    closedRuns: [],
    nextCheckAt: null,
  });
  expect(await ledger.store.head()).toBe(head);

  const refused = await ledger
    .appendRows(9, [{ run: "impl-2", status: "failed", stage: 3, reason: "x", detail: "" }])
    .then(
      () => null,
      (error: unknown) => error,
    );
  expect(refused).toBeInstanceOf(LedgerUntrustedError);
  expect((refused as LedgerUntrustedError).entries.map((e) => [e.file, e.line, e.problem])).toContainEqual([
    path,
    3,
    "its signature does not match its content",
  ]);
  expect(await ledger.store.head()).toBe(head);
});
