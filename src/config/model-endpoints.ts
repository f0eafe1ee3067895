/**
 * Where a repository's configuration may send model traffic, and which of
 * okstra's environment variables it may send there as a key (SPEC §14.1,
 * §14.6). `baseUrl` and `apiKeyEnv` come from `.github/okstra.yml`, which
 * anyone who can push to the default branch writes; left unchecked, one line
 * would send the operator's model keys — or, through `apiKeyEnv:
 * PRIVATE_KEY`, the App's private key — to a server of the pusher's choosing.
 * So both are the operator's to allow, in okstra's environment:
 *
 * - `OKSTRA_MODEL_ENDPOINTS`: comma-separated base URLs a `baseUrl` may start with;
 * - `OKSTRA_MODEL_KEY_VARS`: comma-separated variable names an `apiKeyEnv` may name.
 *
 * okstra's own secrets can never be named, even if listed.
 */
export interface ModelEndpointPolicy {
  endpoints: string[];
  keyVars: string[];
}

/** okstra's own credentials: never a model key, whatever the operator listed. */
const OKSTRA_SECRETS = new Set([
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
  "OKSTRA_LEDGER_KEY",
  "OKSTRA_LEDGER_KEY_FILE",
  "METRICS_TOKEN",
  "REDIS_URL",
  "APP_ID",
]);

export function modelEndpointPolicy(env: NodeJS.ProcessEnv = process.env): ModelEndpointPolicy {
  const list = (value: string | undefined) =>
    (value ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  return { endpoints: list(env.OKSTRA_MODEL_ENDPOINTS), keyVars: list(env.OKSTRA_MODEL_KEY_VARS) };
}

/** Why a worker's `baseUrl` is not allowed, or null. A prefix counts only up to a path boundary (`https://a.example` does not allow `https://a.example.evil`). */
export function baseUrlProblem(baseUrl: string, policy: ModelEndpointPolicy): string | null {
  const allowed = policy.endpoints.some((endpoint) => {
    const prefix = endpoint.replace(/\/+$/, "");
    return baseUrl === prefix || baseUrl.startsWith(`${prefix}/`);
  });
  if (allowed) return null;
  return `\`${baseUrl}\` is not among the model endpoints the operator allows: the worker's key and prompts would go there. The operator lists allowed base URLs in \`OKSTRA_MODEL_ENDPOINTS\` (comma-separated)${policy.endpoints.length ? ` — now ${policy.endpoints.join(", ")}` : ", which is unset"}`;
}

/** Why a worker's `apiKeyEnv` is not allowed, or null. */
export function apiKeyEnvProblem(name: string, policy: ModelEndpointPolicy): string | null {
  if (OKSTRA_SECRETS.has(name))
    return `\`${name}\` is one of okstra's own credentials and is never sent to a model server`;
  const allowed = policy.keyVars.filter((v) => !OKSTRA_SECRETS.has(v));
  if (allowed.includes(name)) return null;
  return `\`${name}\` is not among the variables the operator allows as model keys; the operator lists them in \`OKSTRA_MODEL_KEY_VARS\` (comma-separated)${allowed.length ? ` — now ${allowed.join(", ")}` : ", which is unset"}`;
}
