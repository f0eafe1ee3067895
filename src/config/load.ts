import { parseDocument } from "yaml";
import { permissionAtLeast, type Permission, type Platform } from "../platform/types.js";
import { apiKeyEnvProblem, baseUrlProblem, modelEndpointPolicy, type ModelEndpointPolicy } from "./model-endpoints.js";
import { configSchema, type OkstraConfig, type WorkerSpec } from "./schema.js";

export const CONFIG_PATH = ".github/okstra.yml";
/** A real okstra.yml is a few hundred bytes; parsing a much larger file would hold up every job on the process. */
export const MAX_CONFIG_CHARS = 64 * 1024;
/** Aliases expand on parse: a few nested ones (a "billion laughs" file) would exhaust memory. A config needs none. */
export const MAX_CONFIG_ALIASES = 20;
/** The lowest `minimumPermission` a config can set: below it, nobody gets okstra to read the config at all. */
const PERMISSION_FLOOR: Permission = "write";

export interface ConfigProblem {
  /** The key path, e.g. `qaCommands.lint` or `workers.analysers.1.provider`; empty for the file itself. */
  path: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: OkstraConfig; source: "file" | "defaults" }
  | { ok: false; problems: ConfigProblem[] };

export type AuthorisedConfig =
  | { authorised: true; permission: Permission; config: ConfigResult }
  | { authorised: false; permission: Permission; required: Permission };

/**
 * Who may make okstra act, then what the repository configured — in that
 * order: the live permission is checked against the floor (`write`) before
 * the file is read, so nobody without write access can make okstra fetch
 * and parse it; a stricter `minimumPermission` from the file is checked
 * next. An invalid file leaves the floor in force and is the caller's to report.
 */
export async function authoriseAndLoadConfig(
  platform: Platform,
  login: string,
  policy: ConfigPolicy = {},
): Promise<AuthorisedConfig> {
  const permission = await platform.getPermission(login);
  if (!permissionAtLeast(permission, PERMISSION_FLOOR))
    return { authorised: false, permission, required: PERMISSION_FLOOR };
  const config = await loadConfig(platform, policy);
  const required = config.ok ? config.config.minimumPermission : PERMISSION_FLOOR;
  if (!permissionAtLeast(permission, required)) return { authorised: false, permission, required };
  return { authorised: true, permission, config };
}

/**
 * Reads `.github/okstra.yml` from the default branch only: the config defines
 * commands okstra executes, so a pull request must never be able to change it.
 */
export async function loadConfig(platform: Platform, policy: ConfigPolicy = {}): Promise<ConfigResult> {
  const defaultBranch = await platform.getDefaultBranch();
  const text = await platform.readFile(CONFIG_PATH, defaultBranch);
  return withPolicy(parseConfig(text), policy);
}

/** What the operator allows, beyond what the file says (SPEC §14.6). */
export interface ConfigPolicy {
  /** False on the App unless the operator set `OKSTRA_COMMAND_WORKERS=1`; the CLI and tests keep them. */
  commandWorkers?: boolean;
  /** Where `baseUrl`/`apiKeyEnv` may point; default: okstra's environment (`OKSTRA_MODEL_ENDPOINTS`, `OKSTRA_MODEL_KEY_VARS`). */
  modelEndpoints?: ModelEndpointPolicy;
}

export const COMMAND_WORKERS_OFF =
  "`provider: command` runs an arbitrary program on the okstra host and is disabled on this App; the operator enables it with `OKSTRA_COMMAND_WORKERS=1`, or use a model provider (anthropic, openai, gemini, claude-code, codex, gemini-cli)";

/** A config naming what the operator does not allow is refused like any invalid config, each problem by its path. */
function withPolicy(result: ConfigResult, policy: ConfigPolicy): ConfigResult {
  if (!result.ok) return result;
  const endpoints = policy.modelEndpoints ?? modelEndpointPolicy();
  const problems: ConfigProblem[] = [];
  for (const [path, spec] of workerSpecs(result.config.workers)) {
    if (spec.provider === "command" && policy.commandWorkers === false)
      problems.push({ path: `${path}.provider`, message: COMMAND_WORKERS_OFF });
    const url = spec.baseUrl === undefined ? null : baseUrlProblem(spec.baseUrl, endpoints);
    if (url) problems.push({ path: `${path}.baseUrl`, message: url });
    const key = spec.apiKeyEnv === undefined ? null : apiKeyEnvProblem(spec.apiKeyEnv, endpoints);
    if (key) problems.push({ path: `${path}.apiKeyEnv`, message: key });
  }
  return problems.length === 0 ? result : { ok: false, problems };
}

/** Every worker spec of the config with its key path (`workers.lead`, `workers.analysers.1`), whatever roles the schema has. */
function workerSpecs(workers: OkstraConfig["workers"]): Array<[string, WorkerSpec]> {
  return Object.entries(workers).flatMap(
    ([role, value]): Array<[string, WorkerSpec]> =>
      Array.isArray(value)
        ? value.map((spec, i): [string, WorkerSpec] => [`workers.${role}.${i}`, spec])
        : [[`workers.${role}`, value as WorkerSpec]],
  );
}

/** Parses the file's text (null = no file) into a config or every problem by path. */
export function parseConfig(text: string | null): ConfigResult {
  if (text === null) return { ok: true, config: configSchema.parse({}), source: "defaults" };
  if (text.length > MAX_CONFIG_CHARS) {
    return {
      ok: false,
      problems: [
        { path: "", message: `the file has ${text.length} characters; okstra reads at most ${MAX_CONFIG_CHARS}` },
      ],
    };
  }
  const raw = parseYaml(text);
  if (!raw.ok) return raw;
  const parsed = configSchema.safeParse(raw.value);
  if (parsed.success) return { ok: true, config: parsed.data, source: "file" };
  return {
    ok: false,
    problems: parsed.error.issues.flatMap((issue): ConfigProblem[] => {
      const path = issue.path.map(String);
      // An unknown key is reported at its own path, so each typo gets a line.
      if (issue.code === "unrecognized_keys")
        return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "unknown key" }));
      return [{ path: path.join("."), message: issue.message }];
    }),
  };
}

function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => ({ path: "", message: `YAML: ${e.message.split("\n")[0]}` })),
    };
  }
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_CONFIG_ALIASES }) ?? {} };
  } catch (error) {
    // yaml throws a ReferenceError for too many aliases (and for an alias to nothing): the file's problem, not the job's.
    return { ok: false, problems: [{ path: "", message: `YAML: ${(error as Error).message.split("\n")[0]}` }] };
  }
}
