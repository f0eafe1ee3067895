import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createE2eWorld, INSTALLATION_TOKEN, type E2eWorld, type Phase } from "./e2e-harness.js";
import { tokenForms } from "./secret-scan.js";

/**
 * The git server refuses okstra's credentials: a token it does not accept at
 * all (401 on the first fetch), or one without write access (403 on the
 * push, as GitHub answers an installation without `contents: write`). The
 * plan is made and approved with the right token first; only the
 * implementation run meets the refusal. Each scenario is its own world.
 */

interface Outcome {
  world: E2eWorld;
  implement: Phase;
}

async function implementWith(refuse: (world: E2eWorld) => void): Promise<Outcome> {
  const world = await createE2eWorld();
  await world.comment("/okstra plan");
  await world.comment("/okstra approve");
  refuse(world);
  const implement = await world.comment("/okstra implement");
  world.github.uninstall(); // before test/setup.ts checks for unused mocks
  return { world, implement };
}

const rows = async (world: E2eWorld) =>
  ((await world.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "").trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
const finalStatus = (o: Outcome) => o.world.github.comments.find((c) => c.history[0].includes(`"trigger":${o.implement.commentId}`) && c.body.includes("okstra:run-status"))!;

describe("a token the git server does not accept", () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await implementWith((world) => world.server.expectToken("ghs_rotatedtoken111111111111111111111111"));
  }, 60_000);
  afterAll(() => outcome?.world.dispose());

  it("fails the run, marks no stage done, pushes nothing and opens no PR", async () => {
    const status = finalStatus(outcome);
    expect(status.body).toContain("### okstra · `/okstra implement` · ❌ failed · run `impl-1`");
    const implRows = (await rows(outcome.world)).filter((r) => r.run === "impl-1");
    expect(implRows.filter((r) => r.status === "done")).toEqual([]);
    expect(implRows.filter((r) => r.status === "failed").map((r) => r.stage)).toEqual([1, 2]);
    // The server answered 401 to okstra's first request and saw nothing else.
    expect(outcome.implement.git).toEqual([expect.objectContaining({ service: "git-upload-pack", authorized: false, status: 401 })]);
    expect(outcome.implement.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")).toEqual([]);
    expect(await outcome.world.bare.branches()).not.toContain("okstra/1/s1");
  });

  it("shows the token nowhere: not on the status comment, not in the ledger", async () => {
    const ledger = (await outcome.world.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "";
    const report = (await outcome.world.bare.fileAt("okstra/ledger", "tasks/1/runs/impl-1/report.md")) ?? "";
    expect(ledger).toContain("could not read Username"); // git's refusal is recorded…
    for (const form of tokenForms(INSTALLATION_TOKEN)) {
      for (const text of [...outcome.world.github.comments.flatMap((c) => c.history), ledger, report]) expect(text).not.toContain(form); // …without the credential
    }
  });

  // BUG (src/engine/implementation/run-implementation.ts, the `catch` around `withWorkspace`, ~l.103-115):
  // when the workspace cannot be opened, the stages get `failed` rows with git's error, but their entries in
  // `context.run.phases` keep state "pending" and no detail, so the status comment shows "◻️ Stage 1 …" and
  // "Batch 1, 2: 0 done, 2 failed." with no reason at all; and git's "could not read Username … terminal
  // prompts disabled" is not recognisable as "the server refused the installation token (HTTP 401)".
  it.skip("says on the status comment why: the git server refused okstra's credentials", () => {
    const status = finalStatus(outcome);
    expect(status.body).toMatch(/✗ Stage 1 · CSV field escaping — .*(401|authenticat|credential)/i);
  });
});

describe("a token without write access (GitHub answers the push with 403)", () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await implementWith((world) => world.server.setReadOnly(true));
  }, 60_000);
  afterAll(() => outcome?.world.dispose());

  it("fails the run at the push, marks no stage done and opens no PR", async () => {
    expect(finalStatus(outcome).body).toContain("### okstra · `/okstra implement` · ❌ failed · run `impl-1`");
    const implRows = (await rows(outcome.world)).filter((r) => r.run === "impl-1");
    expect(implRows.filter((r) => r.status === "done")).toEqual([]);
    const failed = implRows.filter((r) => r.status === "failed");
    expect(failed[0]).toMatchObject({ stage: 1 });
    expect(failed[0].detail).toContain("The requested URL returned error: 403");
    // The fetch was authorised; the push was refused at the ref advertisement, before any pack was sent.
    const pushes = outcome.implement.git.filter((r) => r.service === "git-receive-pack");
    expect(pushes).toEqual([expect.objectContaining({ method: "GET", authorized: true, status: 403 })]);
    expect(outcome.implement.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")).toEqual([]);
    for (const form of tokenForms(INSTALLATION_TOKEN)) expect(failed[0].detail).not.toContain(form);
  });

  // BUG (src/engine/implementation/execute-stage.ts step 6, `await workspace.push(...)`, ~l.106, and the `catch`
  // in run-implementation.ts ~l.103-115): a refused push throws out of the whole batch instead of failing its
  // stage, so stage 2 — independent of stage 1 (SPEC §6.3: "the batch continues with stages that do not
  // depend on it") — is never attempted, yet gets a `failed` row whose detail is stage 1's push error
  // ("push … refs/heads/okstra/1/s1 … 403").
  it.skip("records each stage's own failure and carries on with the independent stage 2", async () => {
    const failed = (await rows(outcome.world)).filter((r) => r.run === "impl-1" && r.status === "failed");
    expect(failed.map((r) => r.stage)).toEqual([1, 2]);
    expect(failed[1].detail).toContain("okstra/1/s2");
    expect(failed[1].detail).not.toContain("okstra/1/s1");
  });
});
