import type { Phase } from "./e2e-harness.js";

/**
 * SPEC §13 asks for the API requests of the lifecycle, counted per phase.
 * The lifecycle test writes this table to the file named by
 * `OKSTRA_E2E_REQUESTS` when it is set (the counts are a measurement to
 * read and justify, not a number for a test to pin).
 */
export function requestTable(phases: Record<string, Phase>): string {
  const names = Object.keys(phases);
  const routes = [...new Set(names.flatMap((name) => phases[name].api.map((r) => r.route)))].sort();
  const count = (name: string, route: string) => phases[name].api.filter((r) => r.route === route).length;
  const gitCount = (name: string, method: string, service: string) =>
    phases[name].git.filter((r) => r.method === method && r.service === service).length;
  const lines = [`| route | ${names.join(" | ")} |`, `|---|${names.map(() => "---:").join("|")}|`];
  for (const route of routes) lines.push(`| \`${route}\` | ${names.map((n) => count(n, route)).join(" | ")} |`);
  lines.push(`| **API total** | ${names.map((n) => `**${phases[n].api.length}**`).join(" | ")} |`);
  for (const [method, service] of [
    ["GET", "git-upload-pack"],
    ["POST", "git-upload-pack"],
    ["GET", "git-receive-pack"],
    ["POST", "git-receive-pack"],
  ]) {
    lines.push(`| git: ${method} ${service} | ${names.map((n) => gitCount(n, method, service)).join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
