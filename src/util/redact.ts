/**
 * Removes credentials from text that leaves the process (comments, logs,
 * reports): GitHub tokens, Authorization header values and URL userinfo.
 * A safety net, not the mechanism — tokens are never put where text is built.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, "[redacted-token]"],
  [/\b(authorization["']?\s*[:=]\s*["']?)(token|bearer|basic)\s+[^\s"',}]+/gi, "$1$2 [redacted]"],
  [/\b(sk-(?:ant-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})\b/g, "[redacted-key]"],
  [/(\/\/)[^/@\s:]+(:[^/@\s]*)?@/g, "$1[redacted]@"],
];

export function redactSecrets(text: string): string {
  return PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}
