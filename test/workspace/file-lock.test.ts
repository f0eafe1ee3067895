import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LockTimeoutError, withFileLock } from "../../src/workspace/file-lock.js";
import { exists } from "./sandbox.js";

let dir: string;
let lock: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "okstra-lock-test-"));
  lock = join(dir, "m.lock");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

describe("file lock", () => {
  it("lets one holder in at a time and removes the file afterwards", async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withFileLock(lock, {}, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(5);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("releases the lock when the holder throws", async () => {
    await expect(withFileLock(lock, {}, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await exists(lock)).toBe(false);
    expect(await withFileLock(lock, {}, async () => "again")).toBe("again");
  });

  it("breaks a lock left by a process of this host that no longer exists", async () => {
    await writeFile(lock, JSON.stringify({ pid: await deadPid(), host: hostname() }));
    expect(await withFileLock(lock, { timeoutMs: 60_000 }, async () => "taken")).toBe("taken");
    expect(await readdir(dir)).toEqual([]);
  });

  it("breaks a lock nobody has touched for longer than the stale time", async () => {
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: "another-host" }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, { staleMs: 30_000, timeoutMs: 60_000 }, async () => "taken")).toBe("taken");
  });

  it("waits for a live holder and gives up with a typed error", async () => {
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname() }));
    await expect(withFileLock(lock, { staleMs: 60_000, timeoutMs: 300 }, async () => "never")).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    expect(await exists(lock)).toBe(true); // a live holder's lock is never removed
  });
});
