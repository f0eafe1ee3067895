/**
 * Run as a separate process by the tests: refreshes one mirror (argv: remote
 * dir, cache dir, start time) and prints the outcome as JSON; or, with `hold-workspace`,
 * opens a workspace, prints its root and waits to be signalled.
 */
import { silentLogger } from "../../src/util/log.js";
import { refreshMirror } from "../../src/workspace/mirror-cache.js";
import { openWorkspace } from "../../src/workspace/workspace.js";

const [mode, remoteDir, cacheDir, third] = process.argv.slice(2);
const remote = { url: remoteDir!, extraHeader: "AUTHORIZATION: basic c2VjcmV0" };

if (mode === "refresh") {
  // Every contender starts at the same moment, so they really race for the lock.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(third) - Date.now())));
  const mirror = await refreshMirror(remote, { cacheDir });
  process.stdout.write(JSON.stringify({ created: mirror.created, path: mirror.path }));
} else if (mode === "hold-workspace") {
  const workspace = await openWorkspace({
    remote,
    baseBranch: "main",
    runId: "held",
    log: silentLogger,
    cacheDir,
    workspaceRoot: third,
  });
  process.stdout.write(`${workspace.root}\n`);
  setInterval(() => undefined, 60_000); // stay alive until signalled
}
