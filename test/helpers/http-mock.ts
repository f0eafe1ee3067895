import nock from "nock";
import { checkGitHubExchange, isGitHubApi } from "./contract/index.js";

/**
 * The one HTTP-mock helper (STYLE §7). Every test that talks to GitHub or a
 * model API declares its expected requests through `httpMock()`; after each
 * test, a mock that was never called or a request that matched no mock fails
 * the test, so a mock can neither hide a missing call nor go stale.
 *
 * Every GitHub API exchange a mock answers is also checked against GitHub's
 * published contracts (test/helpers/contract): the request okstra sent —
 * method, path, parameters, body, GraphQL document — and the body the mock
 * answered with. A request GitHub would not accept, or a mocked field GitHub
 * never returns, fails the test with the schema path that rejected it.
 */

export const GITHUB_API = "https://api.github.com";

const unmatched: string[] = [];
const contractProblems: string[] = [];
let listening = false;

function recordUnmatched(req: {
  method?: string;
  path?: string;
  href?: string;
  options?: { method?: string; href?: string };
}): void {
  const method = req.method ?? req.options?.method ?? "?";
  unmatched.push(`${method} ${req.href ?? req.options?.href ?? req.path ?? "?"}`);
}

/** For fakes that answer GitHub requests without nock (a real HTTP front): report what their checks found. */
export function recordContractProblems(problems: string[]): void {
  contractProblems.push(...problems);
}

type ReplyTuple = [number, unknown, Record<string, string>?];
type ReplyContext = { req: { method: string }; basePath: unknown };

/** What a nock reply declaration yields for one request, whichever of its three forms was used. */
async function produceReply(
  context: ReplyContext,
  args: unknown[],
  uri: string,
  requestBody: unknown,
): Promise<ReplyTuple> {
  const call = async (fn: (...a: unknown[]) => unknown) =>
    fn.length === 3
      ? new Promise<unknown>((resolve, reject) =>
          fn.call(context, uri, requestBody, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))),
        )
      : fn.call(context, uri, requestBody);
  const [first, second, third] = args;
  if (typeof first === "function") return (await call(first as (...a: unknown[]) => unknown)) as ReplyTuple;
  const status = (first as number | undefined) ?? 200;
  const body = typeof second === "function" ? await call(second as (...a: unknown[]) => unknown) : second;
  return [status, body, third as Record<string, string> | undefined];
}

/**
 * Wraps nock's `Interceptor.prototype.reply` once, so every interceptor on a
 * GitHub API host — the helper's, the stateful fake's, a test's own — has
 * its exchanges checked. Other hosts (model APIs) are left as declared.
 */
function checkGitHubReplies(): void {
  const proto = Object.getPrototypeOf(nock("https://contract-check.invalid").get("/")) as {
    reply: (...args: unknown[]) => unknown;
  };
  const original = proto.reply;
  proto.reply = function (this: { basePath: unknown; path: unknown }, ...args: unknown[]) {
    if (!declaresGitHub(this)) return original.apply(this, args);
    return original.call(this, async function (this: ReplyContext, uri: string, requestBody: unknown) {
      const [status, body, headers] = await produceReply(this, args, uri, requestBody);
      const base = new URL(String(this.basePath));
      if (isGitHubApi(new URL(uri, base)))
        contractProblems.push(
          ...checkedSafely({ method: this.req.method, path: uri, body: requestBody, status, responseBody: body }),
        );
      return headers ? [status, body, headers] : [status, body];
    });
  };
}

/** A checker that throws would reach okstra as a failed request; report it as a problem instead. */
function checkedSafely(exchange: Parameters<typeof checkGitHubExchange>[0]): string[] {
  try {
    return checkGitHubExchange(exchange);
  } catch (error) {
    return [`${exchange.method} ${exchange.path}: the contract check failed: ${(error as Error).message}`];
  }
}

/** An interceptor on api.github.com, or on a GitHub Enterprise API path (`/api/v3/…`, `/api/graphql`). */
function declaresGitHub({ basePath, path }: { basePath: unknown; path: unknown }): boolean {
  if (typeof basePath !== "string") return false;
  if (new URL(basePath).hostname === "api.github.com") return true;
  return typeof path === "string" && (path.startsWith("/api/v3/") || path === "/api/graphql");
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
  const contract = contractProblems.splice(0);
  nock.cleanAll();
  const problems: string[] = [];
  if (pending.length > 0) problems.push(`HTTP mocks never called:\n  ${pending.join("\n  ")}`);
  if (stray.length > 0) problems.push(`HTTP requests with no mock:\n  ${stray.join("\n  ")}`);
  if (contract.length > 0)
    problems.push(
      `GitHub would not accept these (checked against @octokit/openapi, @octokit/graphql-schema, @octokit/webhooks-schemas):\n  ${[...new Set(contract)].join("\n  ")}`,
    );
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

checkGitHubReplies();
