import { parseDocument } from "yaml";
import type { Platform } from "../platform/types.js";
import { configSchema, type OkstraConfig } from "./schema.js";

export const CONFIG_PATH = ".github/okstra.yml";

export interface ConfigProblem {
  /** The key path, e.g. `qaCommands.lint` or `workers.analysers.1.provider`; empty for the file itself. */
  path: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: OkstraConfig; source: "file" | "defaults" }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Reads `.github/okstra.yml` from the default branch only: the config defines
 * commands okstra executes, so a pull request must never be able to change it.
 */
export async function loadConfig(platform: Platform): Promise<ConfigResult> {
  const defaultBranch = await platform.getDefaultBranch();
  const text = await platform.readFile(CONFIG_PATH, defaultBranch);
  return parseConfig(text);
}

/** Parses the file's text (null = no file) into a config or every problem by path. */
export function parseConfig(text: string | null): ConfigResult {
  if (text === null) return { ok: true, config: configSchema.parse({}), source: "defaults" };
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => ({ path: "", message: `YAML: ${e.message.split("\n")[0]}` })) };
  }
  const raw: unknown = document.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
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
