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
  ((await world.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, any>);
const finalStatus = (o: Outcome) =>
  o.world.github.comments.find(
    (c) => c.history[0].includes(`"trigger":${o.implement.commentId}`) && c.body.includes("okstra:run-status"),
  )!;

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
    expect(outcome.implement.git).toEqual([
      expect.objectContaining({ service: "git-upload-pack", authorized: false, status: 401 }),
    ]);
    expect(outcome.implement.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")).toEqual([]);
    expect(await outcome.world.bare.branches()).not.toContain("okstra/1/s1");
  });

  it("shows the token nowhere: not on the status comment, not in the ledger", async () => {
    const ledger = (await outcome.world.bare.fileAt("okstra/ledger", "tasks/1/ledger.jsonl")) ?? "";
    const report = (await outcome.world.bare.fileAt("okstra/ledger", "tasks/1/runs/impl-1/report.md")) ?? "";
    expect(ledger).toContain("could not read Username"); // git's refusal is recorded…
    for (const form of tokenForms(INSTALLATION_TOKEN)) {
      for (const text of [...outcome.world.github.comments.flatMap((c) => c.history), ledger, report])
        expect(text).not.toContain(form); // …without the credential
    }
  });

  // When the workspace cannot even be opened, every stage of the batch shows ✗ with the reason in words a
  // maintainer can act on, not git's "could not read Username … terminal prompts disabled".
  it("says on the status comment why: the git server refused okstra's credentials", () => {
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
    // The fetch was authorised; each stage's push was refused at the ref advertisement, before any pack was
    // sent — once per stage: a refused credential is not worth a retry.
    const pushes = outcome.implement.git.filter((r) => r.service === "git-receive-pack");
    expect(pushes).toEqual([1, 2].map(() => expect.objectContaining({ method: "GET", authorized: true, status: 403 })));
    expect(outcome.implement.api.filter((r) => r.route === "POST /repos/{owner}/{repo}/pulls")).toEqual([]);
    for (const form of tokenForms(INSTALLATION_TOKEN)) expect(failed[0].detail).not.toContain(form);
  });

  // SPEC §6.3: a failed stage does not stop the stages that do not depend on it; each records its own failure.
  it("records each stage's own failure and carries on with the independent stage 2", async () => {
    const failed = (await rows(outcome.world)).filter((r) => r.run === "impl-1" && r.status === "failed");
    expect(failed.map((r) => r.stage)).toEqual([1, 2]);
    expect(failed[1].detail).toContain("okstra/1/s2");
    expect(failed[1].detail).not.toContain("okstra/1/s1");
  });
});
