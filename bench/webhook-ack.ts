/**
 * Webhook acknowledgement under load (SPEC §13: okstra's p99 within 1.2× of a
 * bare Probot app with an empty handler) and idle server memory (< 150 MiB).
 *
 *   node --import tsx bench/webhook-ack.ts [--duration 20] [--rounds 3] [--connections 100] [--max-requests 300000] [--no-docs]
 *
 * 1. Start three servers, each in its own process on 127.0.0.1 (bench/webhook-server.ts):
 *    bare Probot, okstra with a discarding queue, okstra with the in-process queue.
 * 2. Read each one's idle RSS after a full GC.
 * 3. Warm each up, then for every round load one server at a time (the order
 *    rotates between rounds) with signed `issue_comment.created` deliveries —
 *    a real payload from @octokit/webhooks-examples with a `/okstra help` body,
 *    a unique delivery id and comment id per request — from autocannon at 100
 *    connections, bounded by duration and request count.
 * 4. Check every acknowledged okstra delivery reached its queue.
 * 5. Print p50/p99 per variant (median over rounds) and the p99 ratios; write
 *    them with the machine into docs/queue.md.
 * Loopback only; nothing reaches GitHub.
 */
import autocannon, { type Request as LoadRequest } from "autocannon";
import { fork, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { issueCommentPayload } from "../test/helpers/webhooks.js";
import type { Variant } from "./webhook-server.js";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "100" },
    "max-requests": { type: "string", default: "300000" },
    "no-docs": { type: "boolean", default: false },
  },
});
const DURATION_S = Number(args.duration);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const MAX_REQUESTS = Number(args["max-requests"]);
const SECRET = "bench-webhook-secret";
const VARIANTS: Variant[] = ["bare", "okstra-discard", "okstra-queue"];
const DOCS = new URL("../docs/queue.md", import.meta.url);
const MARK = { start: "<!-- bench:webhook-ack:start -->", end: "<!-- bench:webhook-ack:end -->" };

interface Running {
  variant: Variant;
  child: ChildProcess;
  url: string;
  rssBytes: number;
}
interface Run {
  variant: Variant;
  round: number;
  p50: number;
  p99: number;
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per acknowledged request, in microseconds. */
  cpuPerRequest: number;
}

const servers: Running[] = [];

async function main(): Promise<void> {
  try {
    for (const variant of VARIANTS) servers.push(await startServer(variant));
    const warmUps: Run[] = [];
    for (const server of servers) warmUps.push(await load(server, 3, "warm-up"));
    const runs: Run[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Rotate the order so no variant always runs first (or on the hottest caches).
      const order = VARIANTS.map((_, i) => servers[(i + round - 1) % servers.length]);
      for (const server of order) runs.push(await load(server, DURATION_S, `round ${round}`, round));
    }
    const delivered = await verifyDelivered([...warmUps, ...runs]);
    const report = summarise(runs, delivered);
    process.stdout.write(`\n${report}\n`);
    if (!args["no-docs"]) await writeDocs(report);
  } finally {
    for (const server of servers) server.child.kill("SIGTERM");
  }
}

/**
 * The servers run as plain JavaScript, as in production (`npm start` runs
 * dist/): tsx's loader would add tens of MiB to every RSS. esbuild (tsx's
 * own compiler) bundles okstra's sources; packages stay external, loaded
 * from node_modules like in production.
 */
async function compileServer(): Promise<{ script: string; execArgv: string[]; runtime: string }> {
  const source = fileURLToPath(new URL("./webhook-server.ts", import.meta.url));
  try {
    const { build } = await import("esbuild");
    const script = fileURLToPath(new URL("../node_modules/.cache/okstra-bench/webhook-server.mjs", import.meta.url));
    await build({
      entryPoints: [source],
      outfile: script,
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning",
    });
    return { script, execArgv: ["--expose-gc"], runtime: "plain node (sources bundled by esbuild)" };
  } catch (error) {
    process.stderr.write(
      `esbuild unavailable (${(error as Error).message}); running the servers under tsx, whose loader inflates RSS\n`,
    );
    return { script: source, execArgv: ["--import", "tsx", "--expose-gc"], runtime: "tsx (its loader inflates RSS)" };
  }
}

let compiled: Awaited<ReturnType<typeof compileServer>> | undefined;

async function startServer(variant: Variant): Promise<Running> {
  const port = await freePort();
  compiled ??= await compileServer();
  const child = fork(compiled.script, [variant, String(port), SECRET], {
    execArgv: compiled.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await reply<{ rss: number; gc: boolean }>(child, (m) => "ready" in m);
  if (!ready.gc) throw new Error("the server process has no global.gc (--expose-gc)");
  return { variant, child, url: `http://127.0.0.1:${port}`, rssBytes: ready.rss };
}

let sequence = 0;
/** The payload serialised once with a marker comment id, so each request only splices in its own id and signs. */
const template = (() => {
  const marker = 987654321987;
  const json = JSON.stringify(issueCommentPayload("created", { body: "/okstra help", commentId: marker }));
  const [before, after] = json.split(`"id":${marker}`);
  if (after === undefined || after.includes(`"id":${marker}`))
    throw new Error("the comment id marker must occur exactly once");
  return { before, after };
})();

function signedDelivery(request: LoadRequest): LoadRequest {
  sequence++;
  const body = `${template.before}"id":${1_000_000 + sequence}${template.after}`;
  return {
    ...request,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": "issue_comment",
      "x-github-delivery": `bench-${process.pid}-${sequence}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
  };
}

async function load(server: Running, durationS: number, label: string, round = 0): Promise<Run> {
  const cpuBefore = await cpuMicros(server);
  const result = await autocannon({
    url: `${server.url}/api/github/webhooks`,
    connections: CONNECTIONS,
    duration: durationS,
    maxOverallRequests: MAX_REQUESTS,
    timeout: 10,
    requests: [{ method: "POST", setupRequest: signedDelivery }],
  });
  const run: Run = {
    variant: server.variant,
    round,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuPerRequest:
      Math.round((await cpuMicros(server)) - cpuBefore) / Math.max(1, result.requests.total - result.non2xx),
  };
  run.cpuPerRequest = Math.round(run.cpuPerRequest);
  process.stderr.write(
    `${label.padEnd(8)} ${server.variant.padEnd(15)} p50 ${run.p50} ms  p99 ${run.p99} ms  ${run.rps} req/s  ${run.total} requests  non-2xx ${run.non2xx}  errors ${run.errors}  CPU ${run.cpuPerRequest} µs/request\n`,
  );
  return run;
}

async function cpuMicros(server: Running): Promise<number> {
  server.child.send({ ask: "cpu" });
  return (await reply<{ cpuMicros: number }>(server.child, (m) => "cpuMicros" in m)).cpuMicros;
}

/** Every delivery an okstra server acknowledged with 2xx must have been enqueued (the queue variant also ran it). */
async function verifyDelivered(runs: Run[]): Promise<Map<Variant, { acknowledged: number; jobs: number }>> {
  const delivered = new Map<Variant, { acknowledged: number; jobs: number }>();
  for (const server of servers.filter((s) => s.variant !== "bare")) {
    server.child.send({ ask: "jobs" });
    const { jobs } = await reply<{ jobs: number }>(server.child, (m) => "jobs" in m);
    // autocannon does not count requests still in flight when a run ends, which the server may have acknowledged: jobs ≥ acknowledged.
    const acknowledged = runs
      .filter((r) => r.variant === server.variant)
      .reduce((sum, r) => sum + r.total - r.non2xx, 0);
    delivered.set(server.variant, { acknowledged, jobs });
  }
  return delivered;
}

function summarise(runs: Run[], delivered: Map<Variant, { acknowledged: number; jobs: number }>): string {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const of = (variant: Variant) => runs.filter((r) => r.variant === variant);
  const p99 = (variant: Variant) => median(of(variant).map((r) => r.p99));
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  // Paired: each round's okstra p99 over the same round's bare p99, then the median — background load on a
  // shared machine drifts between rounds far more than within one.
  const pairedRatio = (variant: Variant) =>
    median(
      Array.from(
        { length: ROUNDS },
        (_, i) =>
          runs.find((r) => r.round === i + 1 && r.variant === variant)!.p99 /
          runs.find((r) => r.round === i + 1 && r.variant === "bare")!.p99,
      ),
    );
  const rows = servers.map((s) => {
    const mine = of(s.variant);
    const ratio = s.variant === "bare" ? "—" : `${pairedRatio(s.variant).toFixed(2)}×`;
    const jobs = delivered.get(s.variant);
    return `| ${s.variant} | ${median(mine.map((r) => r.p50))} | ${p99(s.variant)} | ${ratio} | ${median(mine.map((r) => r.rps))} | ${median(mine.map((r) => r.cpuPerRequest))} | ${mine.reduce((n, r) => n + r.non2xx + r.errors, 0)} | ${jobs ? `${jobs.jobs} / ${jobs.acknowledged}${jobs.jobs >= jobs.acknowledged ? " ✓" : " ✗"}` : "—"} | ${mib(s.rssBytes)} |`;
  });
  const perRound = Array.from({ length: ROUNDS }, (_, i) => {
    const inRound = runs.filter((r) => r.round === i + 1);
    const bare = inRound.find((r) => r.variant === "bare")!.p99;
    return `round ${i + 1}: ${inRound
      .filter((r) => r.variant !== "bare")
      .map((r) => `${r.variant} ${(r.p99 / bare).toFixed(2)}×`)
      .join(", ")} (bare p99 ${bare} ms)`;
  });
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${availableParallelism()} cores (${cpu}), ${mib(totalmem())} MiB memory, Node ${process.version}, load average before the run ${loadavg()[0].toFixed(2)}.`,
    `${ROUNDS} rounds × ${DURATION_S} s per variant, ${CONNECTIONS} connections, signed \`issue_comment.created\` deliveries, servers run as ${compiled?.runtime}.`,
    "",
    "| variant | p50 ms | p99 ms | p99 vs bare (median of per-round ratios) | req/s | server CPU µs/request | non-2xx + errors | jobs / acknowledged | idle RSS MiB |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `p99 ratio per round — ${perRound.join("; ")}.`,
    "p50, p99, req/s and CPU are medians over the rounds. Budget: p99 ≤ 1.2× bare, idle RSS < 150 MiB.",
  ].join("\n");
}

async function writeDocs(report: string): Promise<void> {
  const docs = await readFile(DOCS, "utf8");
  const start = docs.indexOf(MARK.start);
  const end = docs.indexOf(MARK.end);
  if (start < 0 || end < start) throw new Error(`docs/queue.md needs the ${MARK.start} … ${MARK.end} markers`);
  await writeFile(DOCS, `${docs.slice(0, start + MARK.start.length)}\n${report}\n${docs.slice(end)}`);
  process.stderr.write("wrote the figures to docs/queue.md\n");
}

function reply<T>(child: ChildProcess, matches: (message: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    const onMessage = (message: Record<string, unknown>) => {
      if (!matches(message)) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as T);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

await main();
