import { describe, expect, it } from "@jest/globals";
import { checkRunExternalId, parseCheckRunTarget, stageCheckName } from "../../src/engine/verification/external-id.js";

describe("a stage check run's external_id", () => {
  it("round-trips `<task>/<stage>/<run>` for a check run named after its stage", () => {
    const externalId = checkRunExternalId({ task: 12, stage: 3, run: "verify-4" });
    expect(externalId).toBe("12/3/verify-4");
    expect(parseCheckRunTarget({ name: stageCheckName(3), external_id: externalId })).toEqual({
      task: 12,
      stage: 3,
      run: "verify-4",
    });
  });

  it.each([
    ["another app's check run", { name: "Octocoders-linter", external_id: "" }],
    ["no external id", { name: "okstra / stage 3", external_id: null }],
    ["a name that disagrees with the id", { name: "okstra / stage 2", external_id: "12/3/verify-4" }],
    ["an id of another shape", { name: "okstra / stage 3", external_id: "12/3" }],
    ["stage 0", { name: "okstra / stage 0", external_id: "12/0/verify-4" }],
  ])("is not okstra's for %s", (_, check) => {
    expect(parseCheckRunTarget(check)).toBeNull();
  });
});
