import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runSetup } from "../../src/engine/implementation/run-setup.js";
import { git } from "../../src/util/git.js";
import { silentLogger } from "../../src/util/log.js";

/**
 * `setup:` is repository code run with its clone writable; afterwards okstra
 * itself, outside the sandbox, lists what setup installed in the clone's
 * `.git/info/exclude`. Setup must not be able to turn that write onto a host
 * file, nor choose the lines written (SPEC §14.1).
 */

let root: string;
let clone: string;
let hostDir: string;
const HOST_FILE = "authorized_keys";

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "okstra-setup-exclude-"));
  hostDir = path.join(root, "host");
  await mkdir(hostDir);
  await writeFile(path.join(hostDir, HOST_FILE), "the host's own line\n");
  clone = path.join(root, "clone");
  await git(["init", "-q", clone], { cwd: root });
  await writeFile(path.join(clone, "README.md"), "# sample\n");
  await git(["add", "README.md"], { cwd: clone });
  await git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "chore: init"], {
    cwd: clone,
  });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

const setup = (command: string) =>
  runSetup({
    commands: [command],
    repoKey: "acme/widgets",
    cwd: clone,
    home: path.join(root, "home"),
    timeoutMs: 30_000,
    log: silentLogger,
    cacheRoot: path.join(root, "cache"),
  });

describe("setup's untracked files in .git/info/exclude", () => {
  it("never writes through a link setup planted in .git, and writes no line setup chose", async () => {
    await mkdir(path.join(root, "home"), { recursive: true });
    // The host path is written into the link as text: inside the sandbox it need not exist.
    await expect(
      setup(
        `rm -rf .git/info && ln -s ${hostDir} .git/info && mkdir -p node_modules/dep && touch "$(printf 'x\\nssh-ed25519 AAAA attacker')"`,
      ),
    ).rejects.toThrow(/replaced .*info with a link/);
    expect(await readFile(path.join(hostDir, HOST_FILE), "utf8")).toBe("the host's own line\n");
    await expect(readFile(path.join(hostDir, "exclude"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("lists what setup installed, one anchored line each, and leaves out a name with a line break", async () => {
    await rm(path.join(clone, ".git", "info"), { recursive: true, force: true });
    await git(["clean", "-fdq"], { cwd: clone });
    await setup(`mkdir -p node_modules/dep && touch "$(printf 'y\\nevil-line')"`);
    const exclude = await readFile(path.join(clone, ".git", "info", "exclude"), "utf8");
    expect(exclude).toContain("/node_modules/");
    expect(exclude).not.toContain("evil-line");
  });
});
