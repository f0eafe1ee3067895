import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LedgerUntrustedError } from "../../src/ledger/errors.js";
import {
  appLedgerKeyring,
  cliLedgerKeyring,
  deriveAppKey,
  keyring,
  parseKeySetting,
} from "../../src/ledger/ledger-key.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createLocalLedgerStore } from "../../src/ledger/local-store.js";
import { json, showFile, taskMeta, tempRepo, type TempRepo } from "./fixtures.js";

const WORKER = fileURLToPath(new URL("./workers/key-worker.ts", import.meta.url));
const OLD = "old-key:0123456789abcdef0123456789abcdef-old";
const NEW = "new-key:fedcba9876543210fedcba9876543210-new";

let dir: string;
let repo: TempRepo;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "okstra-keys-"));
  repo = await tempRepo();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await repo.cleanup();
});

const failed = (run: string) => ({
  run,
  status: "failed" as const,
  stage: 1,
  reason: "validation-failed",
  detail: run,
});

describe("ledger keys", () => {
  it("rotates: state written under the old key still reads after a new key is put first, and new rows are signed with the new one", async () => {
    const before = new Ledger(createLocalLedgerStore(repo.dir), { keyring: parseKeySetting(OLD) });
    await before.writeFiles(7, { "task.json": json(taskMeta(7)) });
    await before.appendRows(7, [failed("impl-1")]);

    const rotated = new Ledger(createLocalLedgerStore(repo.dir), { keyring: parseKeySetting(`${NEW},${OLD}`) });
    expect((await rotated.readTask(7))?.rows.map((r) => r.run)).toEqual(["impl-1"]);
    await rotated.appendRows(7, [failed("impl-2")]);
    const text = await showFile(repo.dir, "tasks/7/ledger.jsonl");
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).mac.split(":")[0]),
    ).toEqual(["old-key", "new-key"]);
    expect((await rotated.readTask(7))?.rows.map((r) => r.run)).toEqual(["impl-1", "impl-2"]);

    // Once the old key is dropped, what it signed is no longer okstra's: named, not silently trusted.
    const dropped = new Ledger(createLocalLedgerStore(repo.dir), { keyring: parseKeySetting(NEW) });
    const refusal = await dropped.readTask(7).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(LedgerUntrustedError);
    expect((refusal as LedgerUntrustedError).entries.map((e) => [e.file, e.line, e.problem])).toEqual([
      ["tasks/7/ledger.jsonl", 1, "signed with key `old-key`, which this okstra does not hold"],
      // Row 2 is chained to row 1, which no longer verifies: keep old keys until the state they signed is done with.
      ["tasks/7/ledger.jsonl", 2, "its signature does not match its content"],
      ["tasks/7/task.json", null, "signed with key `old-key`, which this okstra does not hold"],
    ]);
  });

  it("creates the CLI key file once when 16 processes use it for the first time together", async () => {
    const file = path.join(dir, "config", "okstra", "ledger-keys.json");
    const env = { ...process.env, OKSTRA_LEDGER_KEY_FILE: file } as NodeJS.ProcessEnv;
    delete env.OKSTRA_LEDGER_KEY;
    const workers = Array.from({ length: 16 }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", WORKER], { env, stdio: ["pipe", "pipe", "inherit"] });
      let out = "";
      const ready = new Promise<void>((resolve) =>
        child.stdout.on("data", (c: Buffer) => ((out += c.toString()), out.startsWith("ready\n") && resolve())),
      );
      const done = new Promise<{ id: string; secret: string }>((resolve, reject) =>
        child.on("close", (code) =>
          code === 0
            ? resolve(JSON.parse(out.trim().split("\n").at(-1)!))
            : reject(new Error(`key worker exited ${code}`)),
        ),
      );
      return { child, ready, done };
    });
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end("go\n");
    const keys = await Promise.all(workers.map((w) => w.done));

    expect(new Set(keys.map((k) => `${k.id}/${k.secret}`)).size).toBe(1);
    expect(await readdir(path.dirname(file))).toEqual(["ledger-keys.json"]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await cliLedgerKeyring({ OKSTRA_LEDGER_KEY_FILE: file });
    expect(again.signing.id).toBe(keys[0]!.id);
  }, 180_000);

  it("derives the App's key from its private key, the same with escaped newlines, and prefers OKSTRA_LEDGER_KEY", async () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIBfake\n-----END RSA PRIVATE KEY-----\n";
    const derived = deriveAppKey(pem);
    expect((await appLedgerKeyring({ PRIVATE_KEY: pem.replace(/\n/g, "\\n") })).signing).toEqual(derived);
    expect(derived.id).toMatch(/^app-[0-9a-f]{12}$/);
    expect((await appLedgerKeyring({ PRIVATE_KEY: pem, OKSTRA_LEDGER_KEY: NEW })).signing.id).toBe("new-key");
    await expect(appLedgerKeyring({})).rejects.toThrow(/set OKSTRA_LEDGER_KEY, or give the App's PRIVATE_KEY/);
  });

  it("refuses a key too short to be a secret, saying what to use instead", () => {
    expect(() => parseKeySetting("k:short")).toThrow(/at least 32 .*openssl rand -hex 32/);
    expect(() => keyring([])).toThrow(/no ledger key/);
  });
});
