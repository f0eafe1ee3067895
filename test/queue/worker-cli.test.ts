import { describe, expect, it } from "@jest/globals";
import { parseWorkerArgs, runQueueWorker } from "../../src/cli/worker.js";
import { CliUsageError } from "../../src/cli/io.js";
import { silentLogger } from "../../src/util/log.js";

const io = { stdout: () => {}, stderr: () => {} };

describe("okstra worker arguments and environment", () => {
  it("reads its options, with defaults from the environment", () => {
    expect(parseWorkerArgs([], { OKSTRA_WORKER_CONCURRENCY: "3", OKSTRA_QUEUE_NAME: "cmds" })).toEqual({
      concurrency: 3,
      queueName: "cmds",
      graceMs: 25_000,
      metricsHost: "127.0.0.1",
    });
    expect(
      parseWorkerArgs([
        "--concurrency",
        "4",
        "--grace-period",
        "60",
        "--metrics-port",
        "9464",
        "--metrics-host",
        "0.0.0.0",
      ]),
    ).toEqual({
      concurrency: 4,
      queueName: "okstra-commands",
      graceMs: 60_000,
      metricsPort: 9464,
      metricsHost: "0.0.0.0",
    });
  });

  it.each([
    [["--concurrency"], "--concurrency needs a value"],
    [["--grace-period", "soon"], "--grace-period must be a whole number, got `soon`"],
    [["--queue", "a:b"], "--queue must not contain `:`"],
    [["--verbose", "1"], "unknown option `--verbose` for okstra worker"],
  ])("refuses %j", (args, message) => {
    expect(() => parseWorkerArgs(args)).toThrow(new CliUsageError(message));
  });

  it("refuses to start without REDIS_URL", async () => {
    await expect(runQueueWorker([], io, { env: { APP_ID: "1" }, log: silentLogger })).rejects.toThrow(
      "okstra worker needs REDIS_URL",
    );
  });

  it("refuses to start without the App's credentials", async () => {
    await expect(
      runQueueWorker([], io, { env: { REDIS_URL: "redis://127.0.0.1:1" }, log: silentLogger }),
    ).rejects.toThrow(
      "okstra worker needs the App's credentials, APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH): appId option is required",
    );
  });
});
