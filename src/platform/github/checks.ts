import type { CheckConclusion, CheckRunInfo, CheckRunOutput, CheckRunWrite, CheckStatus, RepoRef } from "../types.js";
import { splitOutput } from "./check-limits.js";
import type { GitHubClient } from "./client.js";
import { createOnce, NO_BLIND_RETRY } from "./create-once.js";

/** Check runs: our camelCase `CheckRunWrite` → the REST body, within GitHub's limits. */

interface RestCheckRun {
  /** int64 in GitHub's schema; check run ids stay far below 2^53. */
  id: number | bigint;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
}

const CONCLUSIONS: readonly string[] = [
  "success",
  "neutral",
  "failure",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
];

function toCheckRunInfo(run: RestCheckRun): CheckRunInfo {
  // GitHub has statuses (waiting, requested, pending) and a conclusion (stale) that okstra never sets.
  const status: CheckStatus = run.status === "completed" || run.status === "in_progress" ? run.status : "queued";
  const conclusion =
    run.conclusion !== null && CONCLUSIONS.includes(run.conclusion) ? (run.conclusion as CheckConclusion) : null;
  const info: CheckRunInfo = { id: Number(run.id), name: run.name, headSha: run.head_sha, status, conclusion };
  if (run.html_url) info.url = run.html_url;
  return info;
}

/** The body fields shared by create and update; `output` is passed separately because it is split into batches. */
function restFields(check: CheckRunWrite): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (check.name !== undefined) body.name = check.name;
  if (check.status !== undefined) body.status = check.status;
  if (check.conclusion !== undefined) body.conclusion = check.conclusion;
  if (check.externalId !== undefined) body.external_id = check.externalId;
  if (check.actions !== undefined) body.actions = check.actions;
  return body;
}

export async function postCheckRun(
  client: GitHubClient,
  repo: RepoRef,
  check: CheckRunWrite & { name: string; headSha: string },
): Promise<CheckRunInfo> {
  const output = check.output === undefined ? undefined : splitOutput(check.output);
  const create = async () =>
    toCheckRunInfo(
      (
        await client.request("POST /repos/{owner}/{repo}/check-runs", {
          ...repo,
          ...restFields(check),
          name: check.name,
          head_sha: check.headSha,
          ...(output ? { output: output.first } : {}),
          ...NO_BLIND_RETRY,
        })
      ).data,
    );
  // After a 5xx: the check run of this commit with this name and external_id, if GitHub made it.
  const findCreated = async () => {
    if (check.externalId === undefined) return null;
    const { data } = await client.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...repo,
      ref: check.headSha,
      check_name: check.name,
      filter: "all",
      per_page: 100,
    });
    const found = data.check_runs.find((run) => run.external_id === check.externalId);
    return found ? toCheckRunInfo(found) : null;
  };
  const created = await createOnce(create, findCreated);
  await appendAnnotations(client, repo, created.id, output?.followUps ?? []);
  return created;
}

export async function patchCheckRun(
  client: GitHubClient,
  repo: RepoRef,
  id: number,
  check: CheckRunWrite,
): Promise<void> {
  const output = check.output === undefined ? undefined : splitOutput(check.output);
  await client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    ...repo,
    check_run_id: id,
    ...restFields(check),
    ...(output ? { output: output.first } : {}),
  });
  await appendAnnotations(client, repo, id, output?.followUps ?? []);
}

/** One request per further batch of 50, in order, so GitHub appends them as given. */
async function appendAnnotations(
  client: GitHubClient,
  repo: RepoRef,
  id: number,
  batches: CheckRunOutput[],
): Promise<void> {
  for (const output of batches) {
    await client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...repo,
      check_run_id: id,
      output,
    });
  }
}
