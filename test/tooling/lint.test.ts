import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

/*
 * `npm run lint` is the line STYLE.md draws: Biome (lint and 120-column format) and dependency-cruiser
 * (the import direction). Each check runs here on a copy of the tree with one violation planted, and
 * must fail naming the rule and the file; the unplanted copy must pass, so the failure is the plant's.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

interface CheckResult {
  code: number;
  output: string;
}

async function check(dir: string, command: string, args: string[]): Promise<CheckResult> {
  try {
    const { stdout, stderr } = await run(join(ROOT, "node_modules/.bin", command), args, {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : 1,
      output: `${failed.stdout ?? ""}${failed.stderr ?? ""}`,
    };
  }
}

const boundaries = (dir: string) => check(dir, "depcruise", ["--config", ".dependency-cruiser.cjs", "src"]);
const biome = (dir: string, ...files: string[]) =>
  check(dir, "biome", ["check", "--vcs-enabled=false", "--error-on-warnings", ...files]);

let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "okstra-lint-"));
  for (const entry of [
    "src",
    "biome.json",
    ".dependency-cruiser.cjs",
    "tsconfig.json",
    "tsconfig.build.json",
    "package.json",
  ]) {
    await cp(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(copy, "node_modules"));
});

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

async function plant(path: string, text: string): Promise<() => Promise<void>> {
  await writeFile(join(copy, path), text);
  return () => rm(join(copy, path));
}

describe("the import direction (dependency-cruiser)", () => {
  it("passes the tree as it is", async () => {
    const result = await boundaries(copy);
    expect(result.output).toContain("no dependency violations found");
    expect(result.code).toBe(0);
  });

  it("fails an engine file that imports Probot, naming the rule and the file", async () => {
    const remove = await plant(
      "src/engine/planted.ts",
      'import { Probot } from "probot";\nexport const app = Probot;\n',
    );
    const result = await boundaries(copy);
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /error engine-imports-no-github-client: src\/engine\/planted\.ts → node_modules\/probot\//,
    );
  });

  it("fails a render file that calls engine code, and lets one that names an engine type through", async () => {
    const remove = await plant(
      "src/render/planted.ts",
      [
        'import type { CommandOutcome } from "../engine/execute-command.js";',
        'import { executeCommand } from "../engine/execute-command.js";',
        "export const outcome: CommandOutcome | null = null;",
        "export const run = executeCommand;",
        "",
      ].join("\n"),
    );
    const result = await boundaries(copy);
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      "error render-imports-no-engine-values: src/render/planted.ts → src/engine/execute-command.ts",
    );
    // One finding per rule: the value import. The type import alone would have passed.
    expect(result.output.match(/render-imports-no-engine-values/g)).toHaveLength(1);
  });

  it("fails an engine file that reaches past ledger/index.ts, and lets the entry through", async () => {
    const remove = await plant(
      "src/engine/planted.ts",
      [
        'import { ledgerRowSchema } from "../ledger/rows.js";',
        'import { LEDGER_BRANCH } from "../ledger/index.js";',
        "export const schema = ledgerRowSchema;",
        "export const branch = LEDGER_BRANCH;",
        "",
      ].join("\n"),
    );
    const result = await boundaries(copy);
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("error engine-uses-the-ledger-entry: src/engine/planted.ts → src/ledger/rows.ts");
    // One finding: the import of the entry itself is allowed.
    expect(result.output.match(/engine-uses-the-ledger-entry/g)).toHaveLength(1);
  });

  it("fails the engine importing from the queue above it", async () => {
    const remove = await plant(
      "src/engine/planted.ts",
      'import { jobKey } from "../queue/types.js";\nexport const key = jobKey;\n',
    );
    const result = await boundaries(copy);
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("error no-upward-import-from-engine: src/engine/planted.ts → src/queue/types.ts");
  });

  it("fails the shared plan reaching up into the ledger, and util into anything of okstra's", async () => {
    const removePlan = await plant(
      "src/plan/planted.ts",
      'import { isPlanApproved } from "../ledger/index.js";\nexport const approved = isPlanApproved;\n',
    );
    const removeUtil = await plant(
      "src/util/planted.ts",
      'import { planDigest } from "../plan/plan-digest.js";\nexport const digest = planDigest;\n',
    );
    const result = await boundaries(copy);
    await removePlan();
    await removeUtil();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("error no-upward-import-from-plan: src/plan/planted.ts → src/ledger/index.ts");
    expect(result.output).toContain("error no-upward-import-from-util: src/util/planted.ts → src/plan/plan-digest.ts");
  });
});

describe("lint and format (Biome)", () => {
  it("fails a line the formatter would wrap at 120 columns, naming the file", async () => {
    const long = `export const planted = [${Array.from({ length: 14 }, (_, i) => `"column-${i}"`).join(", ")}];\n`;
    expect(long.length).toBeGreaterThan(120);
    const remove = await plant("src/util/planted.ts", long);
    const result = await biome(copy, "src/util/planted.ts");
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/src\/util\/planted\.ts format/);
  });

  it("fails a lint finding, naming the rule and the file", async () => {
    const remove = await plant(
      "src/util/planted.ts",
      'import { join } from "node:path";\n\nexport const planted = 1;\n',
    );
    const result = await biome(copy, "src/util/planted.ts");
    await remove();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/src\/util\/planted\.ts:1:\d+ lint\/correctness\/noUnusedImports/);
  });

  it("passes a file written to the house style", async () => {
    const remove = await plant("src/util/planted.ts", 'export const planted = ["a", "b"];\n');
    const result = await biome(copy, "src/util/planted.ts");
    await remove();
    expect(result.output).not.toContain("planted.ts format");
    expect(result.code).toBe(0);
  });
});
