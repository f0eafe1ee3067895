import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { checkGitHubExchange } from "../helpers/contract/index.js";
import { recordContractProblems } from "../helpers/http-mock.js";
import type { FakeGitHub } from "./fake-github-api.js";
import { REST_DOCS, type Reply } from "./fake-routes.js";

/**
 * The fake GitHub and the git server on one 127.0.0.1 port, laid out as a
 * GitHub Enterprise host: `/api/v3/…` is the REST API, `/api/graphql` the
 * GraphQL endpoint, and every other path is proxied, streamed both ways, to
 * the git smart-HTTP server (`/<owner>/<repo>.git/…`). A process started
 * with `GHE_HOST=<host>` and `GHE_PROTOCOL=http` reaches all of it — Probot
 * for the API, okstra's clone URLs (`http://<host>/<owner>/<repo>.git`) for
 * git — where nock, being in-process, cannot.
 */

export interface UnmatchedRequest {
  method: string;
  /** The path as received, with `/api/v3` and the query. */
  path: string;
  body: unknown;
}

export interface ServedGitHub {
  /** `127.0.0.1:<port>`, for `GHE_HOST`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** API requests the fake does not model, answered 404 as GitHub would. */
  unmatched: UnmatchedRequest[];
  close(): Promise<void>;
}

const REST_PREFIX = "/api/v3";
const GRAPHQL_PATH = "/api/graphql";
// Hop-by-hop headers belong to one connection; Node sets its own on each side of the proxy.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
]);

export async function serveFakeGitHub(github: FakeGitHub, gitServerUrl: string): Promise<ServedGitHub> {
  const unmatched: UnmatchedRequest[] = [];
  const git = new URL(gitServerUrl);
  const server = createServer((req, res) => {
    const answered = apiPath(req.url ?? "/") === null ? proxy(req, res, git) : answerApi(github, req, res, unmatched);
    answered.catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ message: `fake GitHub: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, url: `http://${host}`, unmatched, close: () => closeServer(server) };
}

/** The fake's own path for an API request (`/repos/…`, `/graphql`), or null for git. */
function apiPath(url: string): string | null {
  const [pathname, query] = splitQuery(url);
  if (pathname === GRAPHQL_PATH) return `/graphql${query}`;
  if (pathname === REST_PREFIX || pathname.startsWith(`${REST_PREFIX}/`))
    return `${pathname.slice(REST_PREFIX.length) || "/"}${query}`;
  return null;
}

function splitQuery(url: string): [string, string] {
  const at = url.indexOf("?");
  return at < 0 ? [url, ""] : [url.slice(0, at), url.slice(at)];
}

async function answerApi(
  github: FakeGitHub,
  req: IncomingMessage,
  res: ServerResponse,
  unmatched: UnmatchedRequest[],
): Promise<void> {
  const url = req.url ?? "/";
  const body = parseBody(await readBody(req));
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]),
  );
  const reply = await github.handle({ method: req.method ?? "GET", path: apiPath(url)!, body, headers });
  // The same contract checks the in-process mocks get (test/helpers/http-mock.ts).
  if (reply)
    recordContractProblems(
      checkGitHubExchange({ method: req.method ?? "GET", path: url, body, status: reply[0], responseBody: reply[1] }),
    );
  if (reply) return send(res, reply);
  unmatched.push({ method: req.method ?? "GET", path: url, body });
  send(res, [404, { message: "Not Found", documentation_url: REST_DOCS, status: "404" }]);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** As nock hands a body to its reply functions: parsed when it is JSON, the text otherwise. */
function parseBody(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A text body goes out as is (the raw media type), anything else as JSON — what nock does with a reply. */
function send(res: ServerResponse, [status, body, headers = {}]: Reply): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const contentType = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  res.writeHead(status, { "content-type": contentType, ...headers, "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Streams the request to the git server and its answer back, headers and status untouched. */
function proxy(req: IncomingMessage, res: ServerResponse, git: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: git.hostname,
        port: git.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: git.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on("end", resolve);
        answer.on("error", reject);
      },
    );
    upstream.on("error", reject);
    req.on("error", (error) => upstream.destroy(error));
    req.pipe(upstream);
  });
}

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
