import { readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";

/**
 * Fake secrets for the security suites. Every value carries MARKER, so a
 * hostile worker can tell (and report) whether something it read holds one.
 */
export const MARKER = "okstraplanted";

/** okstra's own environment, as an operator would set it: the App's key, webhook secret, model keys, a token. */
export const ENV_SECRETS = {
  PRIVATE_KEY: `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${MARKER}AppPrivateKeyBodyLine1\n${MARKER}AppPrivateKeyBodyLine2xyz\n-----END RSA PRIVATE KEY-----`,
  WEBHOOK_SECRET: `whsec_${MARKER}webhook0000000000`,
  ANTHROPIC_API_KEY: `sk-ant-api03-${MARKER}anthropic000000000000`,
  OPENAI_API_KEY: `sk-proj-${MARKER}openai0000000000000000`,
  GEMINI_API_KEY: `AIzaSy${MARKER}gemini000000000000000000`,
  GITHUB_TOKEN: `ghs_${MARKER}installation00000000000`,
  // No known shape: only the literal-value rule can catch it.
  DATABASE_PASSWORD: `${MARKER}-correct-horse-battery-staple`,
};

/** Secrets of every known shape that the hostile worker prints itself (it cannot know okstra's). */
const token = `ghs_${MARKER}workertoken00000000000`;
export const PRINTED_SHAPES = [
  `ghp_${MARKER}personal0000000000000000`,
  token,
  `github_pat_11AAAA${MARKER}finegrained0000000000`,
  `sk-${MARKER}openaiworker000000000`,
  `sk-ant-${MARKER}claudeworker0000000`,
  `AIza${MARKER}geminiworker00000000000000`,
  `whsec_${MARKER}workerwebhook0000`,
  `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
  `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${MARKER}\n-----END OPENSSH PRIVATE KEY-----`,
];

/** What must never appear anywhere okstra writes: each planted value, and each line of the multi-line ones. */
export function forbiddenStrings(): string[] {
  const values = [...Object.values(ENV_SECRETS), ...PRINTED_SHAPES];
  const lines = values.flatMap((v) => v.split("\n")).filter((line) => line.includes(MARKER));
  const basic = PRINTED_SHAPES.filter((s) => s.startsWith("AUTHORIZATION")).map((s) => s.split(" ").pop()!);
  return [...new Set([...values, ...lines, ...basic, MARKER])];
}

/** Every file under `dir` (recursively) with its text. */
export async function filesUnder(dir: string): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push({ file: full, text: await readFile(full, "utf8") });
  }
  return out;
}

/** Host pids whose command line contains `needle` (zombies excluded). */
export async function processesMatching(needle: string): Promise<Array<{ pid: number; cmdline: string }>> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(path.join("/proc", entry, "cmdline"), "utf8").catch(() => "");
    const stat = await readFile(path.join("/proc", entry, "stat"), "utf8").catch(() => "");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (cmdline.includes(needle) && state !== "Z")
      found.push({ pid: Number(entry), cmdline: cmdline.replace(/\0/g, " ") });
  }
  return found;
}

/** Host processes working in `dir` (their cwd), e.g. a worker's leftovers in a clone. */
export async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(path.join("/proc", entry, "cwd")).catch(() => null);
    if (cwd !== null && (cwd === dir || cwd.startsWith(`${dir}/`))) found.push(Number(entry));
  }
  return found;
}
