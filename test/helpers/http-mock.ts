import nock from "nock";

/**
 * The one HTTP-mock helper (STYLE §7). Every test that talks to GitHub or a
 * model API declares its expected requests through `httpMock()`; after each
 * test, a mock that was never called or a request that matched no mock fails
 * the test, so a mock can neither hide a missing call nor go stale.
 */

export const GITHUB_API = "https://api.github.com";

const unmatched: string[] = [];
let listening = false;

function recordUnmatched(req: { method?: string; path?: string; href?: string; options?: { method?: string; href?: string } }): void {
  const method = req.method ?? req.options?.method ?? "?";
  unmatched.push(`${method} ${req.href ?? req.options?.href ?? req.path ?? "?"}`);
}

export function httpMock(base: string = GITHUB_API): nock.Scope {
  if (!listening) {
    nock.emitter.on("no match", recordUnmatched);
    listening = true;
  }
  return nock(base);
}

/** Called after every test by test/setup.ts. */
export function assertHttpMocksSettled(): void {
  const pending = nock.pendingMocks();
  const stray = unmatched.splice(0);
  nock.cleanAll();
  const problems: string[] = [];
  if (pending.length > 0) problems.push(`HTTP mocks never called:\n  ${pending.join("\n  ")}`);
  if (stray.length > 0) problems.push(`HTTP requests with no mock:\n  ${stray.join("\n  ")}`);
  if (problems.length > 0) throw new Error(problems.join("\n"));
}
