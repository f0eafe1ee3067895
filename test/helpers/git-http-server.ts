import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { git } from "../../src/util/git.js";

/**
 * A real smart-HTTP git server on 127.0.0.1: bare repositories under `root`,
 * served by git's own CGI (`git http-backend`), behind the authentication
 * GitHub asks of an App — `Authorization: Basic base64(x-access-token:TOKEN)`
 * on every request. Clones, fetches and pushes made against it are the real
 * protocol, so a test sees exactly what okstra sends over the wire.
 */

export type GitService = "git-upload-pack" | "git-receive-pack";

export interface GitHttpRequest {
  method: string;
  /** The URL path, without the query. */
  path: string;
  service: GitService | null;
  /** The request carried `x-access-token:<the expected token>`. */
  authorized: boolean;
  status: number;
}

export interface GitHttpServerOptions {
  root: string;
  /** The installation token every request must carry. */
  token: string;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`, the serverUrl an App would be configured with. */
  url: string;
  root: string;
  requests: GitHttpRequest[];
  /** Expect another token from now on (a rotated or wrong one). */
  expectToken(token: string): void;
  /** Answer pushes with 403, as GitHub does for a token without `contents: write`. */
  setReadOnly(readOnly: boolean): void;
  close(): Promise<void>;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const state = { token: options.token, readOnly: false };
  const server = createServer((req, res) => {
    handle(req, res, options.root, state, requests).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    root: options.root,
    requests,
    expectToken: (token) => void (state.token = token),
    setReadOnly: (readOnly) => void (state.readOnly = readOnly),
    close: () => closeServer(server),
  };
}

/** Makes `dir` a bare repository the server accepts pushes to (`http.receivepack`; http-backend refuses them by default). */
export async function enableReceivePack(bareDir: string): Promise<void> {
  await git(["config", "http.receivepack", "true"], { cwd: bareDir });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  state: { token: string; readOnly: boolean },
  requests: GitHttpRequest[],
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const service = serviceOf(url);
  const record: GitHttpRequest = {
    method: req.method ?? "GET",
    path: url.pathname,
    service,
    authorized: isAuthorized(req, state.token),
    status: 0,
  };
  requests.push(record);
  req.on("error", () => undefined);

  if (!record.authorized) {
    record.status = 401;
    req.resume();
    res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
    res.end("Unauthorized\n");
    return;
  }
  if (state.readOnly && service === "git-receive-pack") {
    record.status = 403;
    req.resume();
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("Permission denied: the token cannot write to this repository\n");
    return;
  }
  record.status = await runBackend(req, res, root, url);
}

/** Which side of the protocol a request belongs to: `?service=` on the ref advertisement, the last path segment on the POST. */
function serviceOf(url: URL): GitService | null {
  const name = url.searchParams.get("service") ?? url.pathname.split("/").pop() ?? "";
  return name === "git-upload-pack" || name === "git-receive-pack" ? name : null;
}

function isAuthorized(req: IncomingMessage, token: string): boolean {
  const match = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  return Buffer.from(match[1], "base64").toString("utf8") === `x-access-token:${token}`;
}

/** Runs `git http-backend` as a CGI for one request, streaming both bodies. */
function runBackend(req: IncomingMessage, res: ServerResponse, root: string, url: URL): Promise<number> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root, // no user config of the machine running the tests
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_USER: "x-access-token",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
  };
  if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
  if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(req.headers["content-encoding"]);
  if (req.headers["git-protocol"]) env.HTTP_GIT_PROTOCOL = String(req.headers["git-protocol"]);

  return new Promise((resolve, reject) => {
    const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    cgi.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    cgi.stdin.on("error", () => undefined); // the backend may answer before reading all of a refused body
    req.pipe(cgi.stdin);
    let status = 200;
    let head = Buffer.alloc(0);
    let inBody = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (inBody) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (end === null) return;
      status = writeCgiHead(res, head.subarray(0, end.index).toString("latin1"));
      inBody = true;
      if (head.length > end.index + end.length) res.write(head.subarray(end.index + end.length));
    });
    cgi.on("error", reject);
    cgi.on("close", (code) => {
      if (!inBody) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`git http-backend exited ${code}: ${stderr}`);
        return resolve(500);
      }
      res.end();
      resolve(status);
    });
  });
}

function headerEnd(buffer: Buffer): { index: number; length: number } | null {
  const crlf = buffer.indexOf("\r\n\r\n");
  if (crlf >= 0) return { index: crlf, length: 4 };
  const lf = buffer.indexOf("\n\n");
  return lf >= 0 ? { index: lf, length: 2 } : null;
}

/** CGI headers → an HTTP head; `Status:` carries the code. */
function writeCgiHead(res: ServerResponse, text: string): number {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  res.writeHead(status, headers);
  return status;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
