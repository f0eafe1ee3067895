import { checkGraphQLRequest, checkGraphQLResponse } from "./graphql-contract.js";
import { checkRestRequest, checkRestResponse } from "./rest-contract.js";

export { checkWebhook } from "./webhook-contract.js";

/**
 * One request okstra sent to GitHub and the answer a mock gave, checked
 * against GitHub's published contracts. Returns every problem, each naming
 * the operation and the schema path that failed; empty when both sides are
 * something GitHub would accept and could answer.
 */
export interface GitHubExchange {
  method: string;
  /** Path and query as sent, including a GitHub Enterprise `/api/v3` or `/api` prefix. */
  path: string;
  body: unknown;
  status?: number;
  responseBody?: unknown;
}

export function checkGitHubExchange(exchange: GitHubExchange): string[] {
  const path = exchange.path.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api(?=\/graphql)/, "");
  const body =
    typeof exchange.body === "string" && exchange.body.startsWith("{") ? safeJson(exchange.body) : exchange.body;
  const responseBody =
    typeof exchange.responseBody === "string" && /^[[{]/.test(exchange.responseBody)
      ? safeJson(exchange.responseBody)
      : exchange.responseBody;
  if (path.split("?")[0] === "/graphql") {
    return [...checkGraphQLRequest(body), ...(exchange.status === 200 ? checkGraphQLResponse(body, responseBody) : [])];
  }
  const rest = { ...exchange, path, body, responseBody };
  const requestProblems = checkRestRequest(rest);
  // A response to a request GitHub would reject is beside the point: report the request.
  return requestProblems.length > 0 ? requestProblems : checkRestResponse(rest);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Requests to these hosts are GitHub API requests (github.com, or a GitHub Enterprise base under `/api/v3`). */
export function isGitHubApi(url: URL): boolean {
  return url.hostname === "api.github.com" || url.pathname.startsWith("/api/v3/") || url.pathname === "/api/graphql";
}
