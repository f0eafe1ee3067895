import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small in-process stand-in for the GitHub endpoints the ledger uses, for
 * counting requests (bench/ledger-requests.ts). It keeps a real git object
 * model — blob, tree and commit ids are computed exactly as git does — so the
 * SHAs the adapter predicts for its cache must match what "GitHub" stores.
 * Request and response bodies follow GitHub's documented shapes; only the
 * fields the ledger reads or a client would reasonably expect are filled in.
 */

type GitObject =
  | { type: "blob"; content: Buffer }
  | { type: "tree"; entries: TreeEntry[] }
  | { type: "commit"; tree: string; parents: string[]; message: string };

interface TreeEntry {
  mode: string; // "100644" | "40000"
  name: string;
  sha: string;
}

export interface RequestCount {
  total: number;
  /** Requests GitHub counts against the content-creation limit: POST/PATCH to git/*, and GraphQL mutations. */
  writes: number;
  byRoute: Record<string, number>;
}

export class FakeGitHub {
  private readonly objects = new Map<string, GitObject>();
  private readonly refs = new Map<string, string>();
  private server: Server | null = null;
  private counts: RequestCount = { total: 0, writes: 0, byRoute: {} };
  /** Runs once right before the next write is applied, e.g. to let "another writer" move the branch first. */
  beforeNextWrite: (() => void) | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((error) => (error ? reject(error) : resolve())));
  }

  takeCounts(): RequestCount {
    const counts = this.counts;
    this.counts = { total: 0, writes: 0, byRoute: {} };
    return counts;
  }

  branchHead(branch: string): string | undefined {
    return this.refs.get(`refs/heads/${branch}`);
  }

  /** Reads a file at a branch head, for checking the outcome. */
  readFile(branch: string, path: string): string | null {
    const head = this.branchHead(branch);
    if (!head) return null;
    const files = this.flatten(this.commitTree(head));
    const sha = files.get(path);
    return sha ? (this.objects.get(sha) as { content: Buffer }).content.toString("utf8") : null;
  }

  /** Another writer's commit on a branch: the file changes applied on top of its head. */
  commitDirectly(branch: string, changes: Map<string, string | null>, message: string): string {
    const head = this.branchHead(branch)!;
    const files = this.flatten(this.commitTree(head));
    for (const [path, text] of changes) {
      if (text === null) files.delete(path);
      else files.set(path, this.put({ type: "blob", content: Buffer.from(text, "utf8") }));
    }
    const commit = this.put({ type: "commit", tree: this.buildTree(files), parents: [head], message });
    this.refs.set(`refs/heads/${branch}`, commit);
    return commit;
  }

  // ── git object model ──────────────────────────────────────────────────────

  private put(object: GitObject): string {
    let body: Buffer;
    if (object.type === "blob") body = object.content;
    else if (object.type === "tree") {
      body = Buffer.concat(
        object.entries.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")])),
      );
    } else {
      const parents = object.parents.map((p) => `parent ${p}\n`).join("");
      const who = "okstra <okstra@users.noreply.github.com> 1700000000 +0000";
      body = Buffer.from(`tree ${object.tree}\n${parents}author ${who}\ncommitter ${who}\n\n${object.message}`);
    }
    const sha = createHash("sha1").update(`${object.type} ${body.length}\0`).update(body).digest("hex");
    this.objects.set(sha, object);
    return sha;
  }

  private commitTree(sha: string): string {
    const object = this.objects.get(sha);
    if (object?.type === "commit") return object.tree;
    if (object?.type === "tree") return sha;
    throw new Error(`no tree-ish ${sha}`);
  }

  /** path → blob sha for every file under a tree. */
  private flatten(treeSha: string, prefix = "", into = new Map<string, string>()): Map<string, string> {
    const tree = this.objects.get(treeSha) as { entries: TreeEntry[] };
    for (const e of tree.entries) {
      if (e.mode === "40000") this.flatten(e.sha, `${prefix}${e.name}/`, into);
      else into.set(prefix + e.name, e.sha);
    }
    return into;
  }

  /** Builds the nested trees of a flat listing, as git would (entries sorted with directories compared as `name/`). */
  private buildTree(files: Map<string, string>): string {
    const direct: TreeEntry[] = [];
    const subdirs = new Map<string, Map<string, string>>();
    for (const [path, sha] of files) {
      const slash = path.indexOf("/");
      if (slash === -1) direct.push({ mode: "100644", name: path, sha });
      else {
        const dir = path.slice(0, slash);
        if (!subdirs.has(dir)) subdirs.set(dir, new Map());
        subdirs.get(dir)!.set(path.slice(slash + 1), sha);
      }
    }
    for (const [dir, content] of subdirs) direct.push({ mode: "40000", name: dir, sha: this.buildTree(content) });
    const key = (e: TreeEntry) => (e.mode === "40000" ? `${e.name}/` : e.name);
    direct.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return this.put({ type: "tree", entries: direct });
  }

  private isAncestor(ancestor: string, commit: string): boolean {
    const queue = [commit];
    while (queue.length > 0) {
      const sha = queue.pop()!;
      if (sha === ancestor) return true;
      const object = this.objects.get(sha);
      if (object?.type === "commit") queue.push(...object.parents);
    }
    return false;
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body =
      chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const route = this.route(method, url.pathname);
    this.counts.total++;
    this.counts.byRoute[route.name] = (this.counts.byRoute[route.name] ?? 0) + 1;
    if (method !== "GET") this.counts.writes++;
    const [status, payload] = route.handler(body, url);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(payload));
  }

  private route(
    method: string,
    path: string,
  ): { name: string; handler: (body: Record<string, unknown>, url: URL) => [number, unknown] } {
    const git = /^\/repos\/[^/]+\/[^/]+\/git\/(.+)$/.exec(path)?.[1];
    if (method === "POST" && path === "/graphql") return { name: "POST /graphql", handler: (b) => this.graphql(b) };
    if (!git) return { name: `${method} ?`, handler: () => [404, { message: "Not Found" }] };
    const [kind, ...rest] = git.split("/");
    const arg = decodeURIComponent(rest.join("/"));
    const name = `${method} git/${kind}`;
    if (method === "GET" && kind === "ref") return { name, handler: () => this.getRef(arg) };
    if (method === "GET" && kind === "trees")
      return { name, handler: (_b, url) => this.getTree(arg, url.searchParams.get("recursive") !== null) };
    if (method === "GET" && kind === "blobs") return { name, handler: () => this.getBlob(arg) };
    if (method === "GET" && kind === "commits") return { name, handler: () => this.getCommit(arg) };
    if (method === "POST" && kind === "blobs") return { name, handler: (b) => this.createBlob(b) };
    if (method === "POST" && kind === "trees") return { name, handler: (b) => this.createTree(b) };
    if (method === "POST" && kind === "commits") return { name, handler: (b) => this.createCommit(b) };
    if (method === "POST" && kind === "refs") return { name, handler: (b) => this.createRef(b) };
    if (method === "PATCH" && kind === "refs") return { name, handler: (b) => this.updateRef(arg, b) };
    return { name, handler: () => [404, { message: "Not Found" }] };
  }

  private runHook(): void {
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = null;
    hook?.();
  }

  private getRef(ref: string): [number, unknown] {
    const sha = this.refs.get(`refs/${ref}`);
    if (!sha)
      return [
        404,
        {
          message: "Not Found",
          documentation_url: "https://docs.github.com/rest/git/refs#get-a-reference",
          status: "404",
        },
      ];
    return [200, { ref: `refs/${ref}`, node_id: "REF_x", url: "", object: { type: "commit", sha, url: "" } }];
  }

  private getTree(sha: string, recursive: boolean): [number, unknown] {
    const treeSha = this.commitTree(sha);
    const entries: unknown[] = [];
    const walk = (t: string, prefix: string) => {
      for (const e of (this.objects.get(t) as { entries: TreeEntry[] }).entries) {
        const isTree = e.mode === "40000";
        const size = isTree ? undefined : (this.objects.get(e.sha) as { content: Buffer }).content.length;
        entries.push({
          path: prefix + e.name,
          mode: isTree ? "040000" : e.mode,
          type: isTree ? "tree" : "blob",
          sha: e.sha,
          size,
          url: "",
        });
        if (isTree && recursive) walk(e.sha, `${prefix}${e.name}/`);
      }
    };
    walk(treeSha, "");
    return [200, { sha: treeSha, url: "", tree: entries, truncated: false }];
  }

  private getBlob(sha: string): [number, unknown] {
    const blob = this.objects.get(sha);
    if (blob?.type !== "blob") return [404, { message: "Not Found" }];
    return [
      200,
      {
        sha,
        node_id: "B_x",
        size: blob.content.length,
        url: "",
        content: blob.content.toString("base64"),
        encoding: "base64",
      },
    ];
  }

  private getCommit(sha: string): [number, unknown] {
    const commit = this.objects.get(sha);
    if (commit?.type !== "commit") return [404, { message: "Not Found" }];
    return [
      200,
      {
        sha,
        tree: { sha: commit.tree, url: "" },
        parents: commit.parents.map((p) => ({ sha: p, url: "" })),
        message: commit.message,
      },
    ];
  }

  private createBlob(body: Record<string, unknown>): [number, unknown] {
    const content = Buffer.from(String(body.content), body.encoding === "base64" ? "base64" : "utf8");
    return [201, { sha: this.put({ type: "blob", content }), url: "" }];
  }

  /** `base_tree` plus entries by path; `sha: null` deletes, `content` writes a blob. */
  private createTree(body: Record<string, unknown>): [number, unknown] {
    const files = typeof body.base_tree === "string" ? this.flatten(body.base_tree) : new Map<string, string>();
    for (const entry of body.tree as Array<{ path: string; sha?: string | null; content?: string }>) {
      if (entry.sha === null) {
        if (!files.delete(entry.path)) return [422, { message: `tree.path ${entry.path} does not exist` }];
      } else if (typeof entry.content === "string")
        files.set(entry.path, this.put({ type: "blob", content: Buffer.from(entry.content, "utf8") }));
      else if (typeof entry.sha === "string") files.set(entry.path, entry.sha);
    }
    const sha = this.buildTree(files);
    return [201, { sha, url: "", tree: (this.objects.get(sha) as { entries: TreeEntry[] }).entries, truncated: false }];
  }

  private createCommit(body: Record<string, unknown>): [number, unknown] {
    const sha = this.put({
      type: "commit",
      tree: String(body.tree),
      parents: (body.parents as string[]) ?? [],
      message: String(body.message),
    });
    return [
      201,
      { sha, tree: { sha: body.tree }, parents: ((body.parents as string[]) ?? []).map((p) => ({ sha: p })) },
    ];
  }

  private createRef(body: Record<string, unknown>): [number, unknown] {
    this.runHook();
    const ref = String(body.ref);
    if (this.refs.has(ref))
      return [
        422,
        {
          message: "Reference already exists",
          documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
          status: "422",
        },
      ];
    this.refs.set(ref, String(body.sha));
    return [201, { ref, object: { type: "commit", sha: body.sha } }];
  }

  private updateRef(ref: string, body: Record<string, unknown>): [number, unknown] {
    this.runHook();
    const current = this.refs.get(`refs/${ref}`);
    if (!current) return [422, { message: "Reference does not exist" }];
    const sha = String(body.sha);
    if (body.force !== true && !this.isAncestor(current, sha)) {
      return [
        422,
        {
          message: "Update is not a fast forward",
          documentation_url: "https://docs.github.com/rest/git/refs#update-a-reference",
          status: "422",
        },
      ];
    }
    this.refs.set(`refs/${ref}`, sha);
    return [200, { ref: `refs/${ref}`, object: { type: "commit", sha } }];
  }

  private graphql(body: Record<string, unknown>): [number, unknown] {
    if (!String(body.query).includes("createCommitOnBranch"))
      return [200, { errors: [{ message: "the fake only knows createCommitOnBranch" }] }];
    this.runHook();
    const input = (body.variables as { input: GraphqlInput }).input;
    const ref = `refs/heads/${input.branch.branchName}`;
    const head = this.refs.get(ref);
    if (!head)
      return [
        200,
        {
          data: { createCommitOnBranch: null },
          errors: [
            { type: "NOT_FOUND", path: ["createCommitOnBranch"], message: `A ref named "${ref}" does not exist.` },
          ],
        },
      ];
    if (head !== input.expectedHeadOid) {
      const message = `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`;
      return [
        200,
        {
          data: { createCommitOnBranch: null },
          errors: [
            { type: "STALE_DATA", path: ["createCommitOnBranch"], locations: [{ line: 2, column: 3 }], message },
          ],
        },
      ];
    }
    const files = this.flatten(this.commitTree(head));
    for (const { path } of input.fileChanges.deletions ?? []) files.delete(path);
    for (const { path, contents } of input.fileChanges.additions ?? [])
      files.set(path, this.put({ type: "blob", content: Buffer.from(contents, "base64") }));
    const tree = this.buildTree(files);
    const message = [input.message.headline, input.message.body].filter(Boolean).join("\n\n");
    const oid = this.put({ type: "commit", tree, parents: [head], message });
    this.refs.set(ref, oid);
    return [200, { data: { createCommitOnBranch: { commit: { oid, tree: { oid: tree } } } } }];
  }
}

interface GraphqlInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> };
}
