import { parseDocument } from "yaml";
import { permissionAtLeast, type Permission, type Platform } from "../platform/types.js";
import { configSchema, type OkstraConfig } from "./schema.js";

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
export async function authoriseAndLoadConfig(platform: Platform, login: string, policy: ConfigPolicy = {}): Promise<AuthorisedConfig> {
  const permission = await platform.getPermission(login);
  if (!permissionAtLeast(permission, PERMISSION_FLOOR)) return { authorised: false, permission, required: PERMISSION_FLOOR };
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
}

export const COMMAND_WORKERS_OFF =
  "`provider: command` runs an arbitrary program on the okstra host and is disabled on this App; the operator enables it with `OKSTRA_COMMAND_WORKERS=1`, or use a model provider (anthropic, openai, gemini, claude-code, codex, gemini-cli)";

/** A config naming `command` workers where they are not allowed is refused like any invalid config, each by its path. */
function withPolicy(result: ConfigResult, policy: ConfigPolicy): ConfigResult {
  if (!result.ok || policy.commandWorkers !== false) return result;
  const { workers } = result.config;
  const named: Array<[string, { provider: string }]> = [
    ["workers.lead", workers.lead],
    ...workers.analysers.map((w, i): [string, { provider: string }] => [`workers.analysers.${i}`, w]),
    ["workers.executor", workers.executor],
    ...workers.verifiers.map((w, i): [string, { provider: string }] => [`workers.verifiers.${i}`, w]),
    ["workers.pilot", workers.pilot],
  ];
  const problems = named.filter(([, spec]) => spec.provider === "command").map(([path]) => ({ path: `${path}.provider`, message: COMMAND_WORKERS_OFF }));
  return problems.length === 0 ? result : { ok: false, problems };
}

/** Parses the file's text (null = no file) into a config or every problem by path. */
export function parseConfig(text: string | null): ConfigResult {
  if (text === null) return { ok: true, config: configSchema.parse({}), source: "defaults" };
  if (text.length > MAX_CONFIG_CHARS) {
    return { ok: false, problems: [{ path: "", message: `the file has ${text.length} characters; okstra reads at most ${MAX_CONFIG_CHARS}` }] };
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
      if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "unknown key" }));
      return [{ path: path.join("."), message: issue.message }];
    }),
  };
}

function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => ({ path: "", message: `YAML: ${e.message.split("\n")[0]}` })) };
  }
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_CONFIG_ALIASES }) ?? {} };
  } catch (error) {
    // yaml throws a ReferenceError for too many aliases (and for an alias to nothing): the file's problem, not the job's.
    return { ok: false, problems: [{ path: "", message: `YAML: ${(error as Error).message.split("\n")[0]}` }] };
  }
}
