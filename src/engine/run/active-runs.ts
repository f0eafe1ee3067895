/**
 * The runs this process is executing, by task, so `/okstra cancel` handled
 * here stops them at once (their workers' process groups are killed through
 * the signal). Runs in other processes notice the `cancelled` row the
 * cancel writes to the ledger (see LeaseKeeper's cancellation poll).
 */
const active = new Map<string, Map<string, AbortController>>();

function taskKey(repo: { owner: string; repo: string }, issue: number): string {
  return `${repo.owner}/${repo.repo}#${issue}`;
}

export function registerRun(
  repo: { owner: string; repo: string },
  issue: number,
  runId: string,
  controller: AbortController,
): () => void {
  const key = taskKey(repo, issue);
  const runs = active.get(key) ?? new Map<string, AbortController>();
  runs.set(runId, controller);
  active.set(key, runs);
  return () => {
    runs.delete(runId);
    if (runs.size === 0) active.delete(key);
  };
}

/** Aborts every run of the task in this process; returns their ids. */
export function cancelRuns(repo: { owner: string; repo: string }, issue: number, reason: string): string[] {
  const runs = active.get(taskKey(repo, issue));
  if (!runs) return [];
  for (const controller of runs.values()) controller.abort(new Error(reason));
  return [...runs.keys()];
}
