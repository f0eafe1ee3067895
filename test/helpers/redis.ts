import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { describe } from "@jest/globals";

/**
 * A real redis-server per test file, on a free loopback port, with nothing
 * persisted (`--save "" --appendonly no`). Where redis-server is missing the
 * suites that need it are skipped with the reason printed — except under CI,
 * which installs it, so there a missing server fails the run instead of
 * passing it silently.
 */

export const redisAvailable = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

export const describeWithRedis = (() => {
  if (redisAvailable) return describe as typeof describe.skip;
  if (process.env.CI)
    throw new Error("redis-server is not installed, and CI must run the Redis suites (apt-get install redis-server)");
  process.stderr.write(
    "SKIPPED: redis-server is not installed; the BullMQ suites need it (apt-get install redis-server)\n",
  );
  return describe.skip;
})();

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `port` restarts a stopped server where its clients expect it (they reconnect by themselves). */
export async function startRedis(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "yes",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await waitForPort(port, child, () => output);
  const listening = port;
  return {
    url: `redis://127.0.0.1:${listening}`,
    port: listening,
    stop: () => stopProcess(child),
  };
}

/** A port nothing listens on right now: the OS picks one, we release it and hand it to redis-server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output()}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not answer on port ${port}: ${output()}`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
