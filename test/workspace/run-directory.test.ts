import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execSync, spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { OWNER_FILE, sweepOrphanedWorkspaces } from "../../src/workspace/run-directory.js";
import { createSandbox, exists, MIRROR_CHILD, type Sandbox } from "./sandbox.js";

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await createSandbox();
});

afterEach(async () => {
  await sandbox.remove();
});

describe("run directories", () => {
  it("are removed when the process holding them is terminated with SIGTERM", async () => {
    // Node itself, not the `tsx` binary: tsx relays a SIGTERM to its child and SIGKILLs it
    // when the child has not acknowledged within 30 ms, which a loaded 2-core machine misses.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", MIRROR_CHILD, "hold-workspace", sandbox.remoteDir, sandbox.cacheDir, sandbox.workspaceRoot],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const root = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("\n")) resolve(output.trim());
      });
      child.on("exit", () => reject(new Error("child exited before opening its workspace")));
    });
    expect(await exists(join(root, "repo", "README.md"))).toBe(true);

    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM"); // it still dies of the signal, after cleaning up
    expect(await exists(root)).toBe(false);
  }, 60_000);

  it("are swept when their owner died without cleaning up, and kept while it lives", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.on("exit", resolve));
    const orphan = join(sandbox.workspaceRoot, "run-orphan");
    const alive = join(sandbox.workspaceRoot, "run-alive");
    const unrelated = join(sandbox.workspaceRoot, "not-a-run");
    for (const dir of [orphan, alive, unrelated]) await mkdir(dir, { recursive: true });
    await writeFile(
      join(orphan, OWNER_FILE),
      JSON.stringify({ pid: dead.pid, host: hostname(), runId: "x", createdAt: "" }),
    );
    await writeFile(
      join(alive, OWNER_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), runId: "y", createdAt: "" }),
    );

    expect(await sweepOrphanedWorkspaces(sandbox.workspaceRoot)).toEqual([orphan]);
    expect((await readdir(sandbox.workspaceRoot)).sort()).toEqual(["not-a-run", "run-alive"]);
  });

  it("kill what still works inside an orphaned directory before removing it (a worker's group outlives a SIGKILLed parent)", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.on("exit", resolve));
    const orphan = join(sandbox.workspaceRoot, "run-orphan");
    await mkdir(join(orphan, "repo"), { recursive: true });
    await writeFile(
      join(orphan, OWNER_FILE),
      JSON.stringify({ pid: dead.pid, host: hostname(), runId: "x", createdAt: "" }),
    );
    // An executor in its own process group, as okstra starts them, with a child of its own.
    const worker = spawn("sh", ["-c", "sleep 600 & wait"], {
      cwd: join(orphan, "repo"),
      detached: true,
      stdio: "ignore",
    });
    const gone = new Promise((resolve) => worker.on("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Live processes of the group (a killed one may linger as a zombie until its reaper collects it).
    const alive = () => {
      let listing = "";
      try {
        listing = execSync(`ps -o stat= -g ${worker.pid}`).toString();
      } catch {
        return 0; // ps exits 1 when the group is empty
      }
      return listing.split("\n").filter((stat) => stat.trim() && !stat.trim().startsWith("Z")).length;
    };
    expect(alive()).toBe(2);

    expect(await sweepOrphanedWorkspaces(sandbox.workspaceRoot)).toEqual([orphan]);
    await gone;
    expect(await exists(orphan)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive()).toBe(0);
  });
});
