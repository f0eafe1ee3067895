import { afterEach, describe, expect, it } from "@jest/globals";
import { configureRecordedWorkers, createLocalRepo, type LocalRepo } from "../helpers/local-repo.js";

/** `/okstra plan` shows the validator's warnings (S12) in the plan comment, where the maintainer approves. */

let repo: LocalRepo;
afterEach(async () => {
  await repo?.dispose();
});

describe("plan warnings", () => {
  it("the recorded plan's S12 warning is in the plan comment", async () => {
    repo = await createLocalRepo();
    await configureRecordedWorkers(repo, "");
    expect((await repo.run("/okstra plan")).code).toBe(0);
    const plan = (await repo.comments()).find((c) => c.body.startsWith("<!-- okstra:plan"))!;
    expect(plan.body).toContain("#### ⚠️ Validator warnings");
    expect(plan.body).toMatch(/- S12 .*stages 1 and 2 are independent/);
  });
});
