import { API, notFound, repoPath, timestamp, type Route, type Schemas } from "./fake-routes.js";

/**
 * Check runs, as verification writes them: created on a commit, then
 * patched as the run goes. Each keeps the bodies it was sent, so a test can
 * read the verdict okstra published on a head.
 */

export interface StoredCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: Schemas["check-run"]["conclusion"];
  externalId: string | null;
  title: string | null;
  summary: string | null;
  /** Every create and update body, oldest first. */
  writes: Array<Record<string, unknown>>;
}

export interface CheckState {
  owner: string;
  repo: string;
  checkRuns: StoredCheckRun[];
}

type CheckRunResource = Pick<
  Schemas["check-run"],
  | "id"
  | "head_sha"
  | "node_id"
  | "external_id"
  | "url"
  | "html_url"
  | "details_url"
  | "status"
  | "conclusion"
  | "started_at"
  | "completed_at"
  | "output"
  | "name"
  | "check_suite"
  | "pull_requests"
>;

export function checkRoutes(state: CheckState): Route[] {
  const path = (rest: string) => repoPath(state.owner, state.repo, rest);
  return [
    {
      method: "POST",
      name: "POST /repos/{owner}/{repo}/check-runs",
      path: path("/check-runs"),
      handle: ({ body }) => {
        const run: StoredCheckRun = {
          id: 4_000_000 + state.checkRuns.length + 1,
          name: body.name,
          headSha: body.head_sha,
          status: "queued",
          conclusion: null,
          externalId: null,
          title: null,
          summary: null,
          writes: [],
        };
        state.checkRuns.push(run);
        apply(run, body);
        return [201, resource(state, run)];
      },
    },
    {
      method: "PATCH",
      name: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      path: path("/check-runs/(\\d+)"),
      handle: ({ params, body }) => {
        const run = state.checkRuns.find((r) => r.id === Number(params[0]));
        if (!run) return notFound("checks/runs#update-a-check-run");
        apply(run, body);
        return [200, resource(state, run)];
      },
    },
  ];
}

/** GitHub completes a run given a conclusion, whatever status the body says. */
function apply(run: StoredCheckRun, body: Record<string, any>): void {
  run.writes.push(body);
  if (body.name !== undefined) run.name = body.name;
  if (body.status !== undefined) run.status = body.status;
  if (body.conclusion !== undefined) [run.conclusion, run.status] = [body.conclusion, "completed"];
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.output?.title !== undefined) run.title = body.output.title;
  if (body.output?.summary !== undefined) run.summary = body.output.summary;
}

function resource(state: CheckState, run: StoredCheckRun): CheckRunResource {
  const base = `${API}/repos/${state.owner}/${state.repo}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: Buffer.from(`08:CheckRun${run.id}`).toString("base64"),
    external_id: run.externalId,
    url: `${base}/check-runs/${run.id}`,
    html_url: `https://github.com/${state.owner}/${state.repo}/runs/${run.id}`,
    details_url: null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: timestamp(),
    completed_at: run.status === "completed" ? timestamp() : null,
    output: {
      ...{ title: run.title, summary: run.summary, text: null },
      ...{ annotations_count: 0, annotations_url: `${base}/check-runs/${run.id}/annotations` },
    },
    name: run.name,
    check_suite: { id: 5_000_000 },
    pull_requests: [],
  };
}
