import type { ProviderName } from "../config/schema.js";

/**
 * The environment a worker process gets (SPEC §6.2): built from an allow-list,
 * never by deleting known secrets from the App's environment, so a secret
 * nobody thought of cannot leak either. The App's private key, webhook
 * secret, GitHub and installation tokens and every other provider's key are
 * simply never copied.
 */

const ALLOWED = [
  "PATH",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "USER",
  "LOGNAME",
  "SHELL",
  // Agent CLIs must reach their API through the same proxy and CA bundle as the App.
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  // The executor commits; its identity is okstra's, configured on the App.
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
] as const;

/** The variable each provider's key is read from; an agent CLI gets its own and no other. */
export const PROVIDER_KEY_VARS: Partial<Record<ProviderName, string>> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  gemini: "GEMINI_API_KEY",
  "claude-code": "ANTHROPIC_API_KEY",
  codex: "OPENAI_API_KEY",
  "gemini-cli": "GEMINI_API_KEY",
};

export interface WorkerEnvOptions {
  provider: ProviderName;
  appEnv: NodeJS.ProcessEnv;
  /**
   * A private, empty home directory: the App's own HOME may hold
   * `~/.git-credentials`, `gh` tokens or agent logins that are not the
   * worker's to use.
   */
  home: string;
  extra?: Record<string, string | undefined>;
}

export function workerEnv(options: WorkerEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ALLOWED) {
    const value = options.appEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = options.home;
  const keyVar = PROVIDER_KEY_VARS[options.provider];
  if (keyVar && options.appEnv[keyVar]) env[keyVar] = options.appEnv[keyVar];
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}
