/**
 * Validation commands okstra runs must not change the repository (SPEC §3).
 * Each entry is matched against the command padded with spaces, so ` -w `
 * matches a flag and never the inside of a word.
 */
const MUTATING_TOKENS = [
  "--fix",
  "--write",
  " -w ",
  " -u ",
  "--snapshot-update",
  "--update-snapshot",
  "cargo update",
  "npm install",
  "npm i",
  "npm add",
  "npm update",
  "pnpm install",
  "pnpm i",
  "pnpm add",
  "pnpm update",
  "yarn install",
  "yarn add",
  "yarn upgrade",
  "pip install",
  "git push",
  "git commit",
  "git reset --hard",
  "rm -rf /",
];

/** `INSTA_UPDATE=` is allowed only as `INSTA_UPDATE=no`. */
const INSTA_UPDATE = /(^|\s)INSTA_UPDATE=(?!no(\s|$))\S*/;

/**
 * `yarn` with no sub-command installs; so does `yarn` followed only by flags.
 * Matched per shell segment, so `yarn test && yarn lint` stays allowed.
 */
const BARE_YARN = /(^|[;&|(]\s*)yarn(\s+-\S+)*\s*($|[;&|)])/;

/**
 * The first mutating token in `command`, or null when it is safe to run.
 * Setup commands (`setup:`) are exempt: installing is their job.
 */
export function findMutatingToken(command: string): string | null {
  const padded = ` ${command.replace(/\s+/g, " ").trim()} `;
  for (const token of MUTATING_TOKENS) {
    if (token.startsWith(" ") ? padded.includes(token) : containsWord(padded, token)) return token.trim();
  }
  if (BARE_YARN.test(command.replace(/\s+/g, " ").trim())) return "yarn";
  const insta = INSTA_UPDATE.exec(padded);
  if (insta) return insta[0].trim();
  return null;
}

/** `--fix` matches `--fix` and `--fix=true`, not `--fixture`. */
function containsWord(haystack: string, token: string): boolean {
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(token, from);
    if (at < 0) return false;
    const before = haystack[at - 1];
    const after = haystack[at + token.length];
    const startOk = before === undefined || /[\s;&|(]/.test(before);
    const endOk = after === undefined || /[\s;&|)=]/.test(after);
    if (startOk && endOk) return true;
    from = at + 1;
  }
}
