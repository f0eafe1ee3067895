import { describe, expect, it } from "@jest/globals";
import { isOkstraCommand, parseComment } from "../../src/commands/parse.js";

function command(body: string) {
  const parsed = parseComment(body);
  if (parsed.kind !== "command") throw new Error(`expected a command, got ${JSON.stringify(parsed)}`);
  return parsed;
}

function problem(body: string) {
  const parsed = parseComment(body);
  if (parsed.kind !== "invalid") throw new Error(`expected invalid, got ${JSON.stringify(parsed)}`);
  return parsed;
}

describe("parseComment", () => {
  it("stays silent for comments that do not start with /okstra", () => {
    expect(parseComment("Looks good to me")).toEqual({ kind: "not-a-command" });
    expect(parseComment("please run\n/okstra plan")).toEqual({ kind: "not-a-command" });
    expect(parseComment("/okstrafy everything")).toEqual({ kind: "not-a-command" });
    expect(isOkstraCommand("  /OKSTRA help")).toBe(true);
  });

  it("parses every verb with its options", () => {
    expect(command("/okstra plan --base develop --workers anthropic,openai").command).toEqual({
      verb: "plan",
      base: "develop",
      workers: ["anthropic", "openai"],
    });
    expect(command("/okstra implement").command).toEqual({ verb: "implement", stage: "auto" });
    expect(command("/okstra implement --stage=3").command).toEqual({ verb: "implement", stage: 3 });
    expect(command("/okstra implement --stage auto").command).toEqual({ verb: "implement", stage: "auto" });
    expect(command("/okstra verify --stage 2").command).toEqual({ verb: "verify", stage: 2 });
    expect(command("/okstra ship 1,2,4").command).toEqual({
      verb: "ship",
      stages: { kind: "list", stages: [1, 2, 4] },
    });
    expect(command("/okstra ship 1-3 --base release").command).toEqual({
      verb: "ship",
      stages: { kind: "list", stages: [1, 2, 3] },
      base: "release",
    });
    expect(command("/okstra ship all").command).toEqual({ verb: "ship", stages: { kind: "all" } });
    for (const verb of ["replan", "approve", "status", "cancel", "help"])
      expect(command(`/okstra ${verb}`).command).toEqual({ verb });
    expect(command("/okstra retry --stage 4").command).toEqual({ verb: "retry", stage: 4 });
  });

  it("is case-insensitive and keeps the lines after the first as guidance", () => {
    const parsed = command("/OKSTRA Plan\r\nKeep the public API stable.\r\nPrefer small stages.");
    expect(parsed.command).toEqual({ verb: "plan" });
    expect(parsed.guidance).toBe("Keep the public API stable.\nPrefer small stages.");
  });

  it("names an unknown verb and suggests the closest one", () => {
    const parsed = problem("/okstra frobnicate");
    expect(parsed.problem).toBe("Unknown command `frobnicate`.");
    expect(parsed.usage).toContain("/okstra plan");
    expect(problem("/okstra aprove").problem).toBe("Unknown command `aprove`. Did you mean `/okstra approve`?");
  });

  it("names the exact problem of a bad option value", () => {
    const parsed = problem("/okstra implement --stage x");
    expect(parsed.problem).toBe("`--stage` must be `auto` or a stage number, got `x`.");
    expect(parsed.usage).toBe("/okstra implement [--stage auto|N]");
  });

  it.each([
    ["/okstra", "No command given after `/okstra`."],
    ["/okstra verify --stage 0", "`--stage` must be a stage number like `2`, got `0`."],
    ["/okstra implement --stage", "`--stage` needs a value."],
    ["/okstra implement --stage 2 --stage 3", "`--stage` is given twice."],
    ["/okstra approve now", "`/okstra approve` takes no argument `now`."],
    ["/okstra status --verbose", "`/okstra status` has no option `--verbose`; it takes no options."],
    ["/okstra implement --force", "`/okstra implement` has no option `--force`; it takes `--stage`."],
    ["/okstra ship", "`/okstra ship` needs STAGES."],
    ["/okstra ship 3-1", "STAGES: the range `3-1` runs backwards: write `1-3`."],
    ["/okstra ship one", "STAGES: `one` is not a stage list: use `1,2,4`, `1-3` or `all`."],
    ["/okstra plan --base ../main", "`--base` `../main` is not a valid branch name."],
    [
      "/okstra plan --base okstra/ledger",
      "`--base` `okstra/ledger` is one of okstra's own branches (`okstra/…`); the base must be a branch of the repository's, such as its default branch.",
    ],
    [
      "/okstra ship all --base okstra/12/s1",
      "`--base` `okstra/12/s1` is one of okstra's own branches (`okstra/…`); the base must be a branch of the repository's, such as its default branch.",
    ],
    [
      "/okstra plan --workers anthropic,gpt5",
      "`--workers` `gpt5` is not a provider (one of anthropic, openai, gemini, claude-code, codex, gemini-cli, command, openai-compatible).",
    ],
  ])("%s → %s", (body, expected) => {
    expect(problem(body).problem).toBe(expected);
  });
});
