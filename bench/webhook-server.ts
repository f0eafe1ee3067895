/**
 * One webhook server for bench/webhook-ack.ts, in a process of its own so
 * the load generator never shares its event loop:
 *
 *   node --import tsx --expose-gc bench/webhook-server.ts VARIANT PORT SECRET
 *
 * VARIANT
 *   bare            a Probot app with an empty issue_comment handler
 *   okstra-discard  okstra's app; its queue accepts and drops every job
 *   okstra-queue    okstra's app with the real in-process queue; the processor only records the job
 *
 * Nothing here reaches GitHub: neither variant's queue runs the GitHub processor.
 * Reports { rss } once idle (after a full GC), and { jobs } or { cpuMicros } when asked, over IPC.
 */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, Server, type ApplicationFunction } from "probot";
import { okstraApp } from "../src/app.js";
import { createInProcessQueue } from "../src/queue/in-process.js";
import type { JobQueue } from "../src/queue/types.js";

export type Variant = "bare" | "okstra-discard" | "okstra-queue";

const [variant, port, secret] = process.argv.slice(2) as [Variant, string, string];
let jobs = 0;

const discardingQueue: JobQueue = { enqueue: async () => (jobs++, true), drain: async () => {}, close: async () => {} };

const apps: Record<Variant, ApplicationFunction> = {
  bare: (app) => app.on("issue_comment.created", async () => {}),
  "okstra-discard": okstraApp({ createQueue: () => discardingQueue }),
  "okstra-queue": okstraApp({ createQueue: (_github, log) => createInProcessQueue(async () => void jobs++, log) }),
};

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
// Silent logs for both: the benchmark measures the webhook path, not log I/O.
const server = new Server({
  Probot: Probot.defaults({ appId: 1, privateKey, secret }),
  host: "127.0.0.1",
  port: Number(port),
  log: pino({ level: "silent" }),
});
await server.load(apps[variant]);
await server.start();

// Idle memory: let start-up garbage go, then read RSS.
await new Promise((resolve) => setTimeout(resolve, 500));
for (let i = 0; i < 3; i++) globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 200));
process.send!({ ready: true, rss: process.memoryUsage().rss, gc: typeof globalThis.gc === "function" });

process.on("message", (message: { ask?: string }) => {
  if (message.ask === "jobs") process.send!({ jobs });
  // CPU time spent by the server, which other processes' load on the machine does not inflate the way it inflates latency.
  if (message.ask === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  }
  if (message.ask === "stop") void server.stop().then(() => process.exit(0));
});
