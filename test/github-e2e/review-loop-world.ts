import path from "node:path";
import { git } from "../../src/util/git.js";
import { planningWorker, RECORDINGS } from "../helpers/local-repo.js";
import { webhookExample } from "../helpers/webhooks.js";
import { createE2eWorld, OWNER, type E2eWorld } from "./e2e-harness.js";

/**
 * The review loop's world on the fake GitHub: the sample project planned,
 * approved, stages 1–3 implemented and verified by the recorded workers
 * (stage 3 depends on stages 1 and 2), with an executor that replays the
 * recorded review revision of stage 2 (fixtures/recordings/revise-worker.mjs)
 * and logs what it was asked. The bare repository refuses non-fast-forward
 * pushes, so a forced push by okstra would fail the scenario.
 */

const STAGES = path.join(RECORDINGS, "inventory-csv", "stages");
const REVISIONS = path.join(RECORDINGS, "inventory-csv", "revisions");
const REVISE_WORKER = path.join(RECORDINGS, "revise-worker.mjs");
const VERIFIER = path.join(RECORDINGS, "verifier-worker.mjs");

export async function createReviewLoopWorld(executorLog: string): Promise<E2eWorld> {
  const analyser = planningWorker("--draft full --review agree");
  const executor = [process.execPath, REVISE_WORKER, "--stages", STAGES, "--revisions", REVISIONS];
  executor.push("--log", executorLog);
  const verifier = `{ provider: command, command: "${process.execPath} ${VERIFIER} --findings none --review agree" }`;
  const world = await createE2eWorld({
    config: {
      pilot: "false",
      verification: "{ maxRounds: 2 }",
      workers: [
        "",
        `  lead: ${planningWorker("--lead good")}`,
        `  analysers: [ ${analyser}, ${analyser} ]`,
        `  executor: { provider: command, command: "${executor.join(" ")}" }`,
        `  verifiers: [ ${verifier}, ${verifier} ]`,
      ].join("\n"),
    },
  });
  await git(["config", "receive.denyNonFastForwards", "true"], { cwd: world.bare.dir });
  return world;
}

/**
 * Writes `/okstra …` as an inline review comment on `line` of `file` in PR
 * `pull`'s diff — or as a reply in the thread `inReplyTo` starts — and
 * delivers `pull_request_review_comment.created`.
 */
export async function inlineCommand(
  world: E2eWorld,
  ...[pull, file, line, body, inReplyTo]: [pull: number, file: string, line: number, body: string, inReplyTo?: number]
) {
  const stored = await world.github.addReviewComment(OWNER, { pull, path: file, line, body, inReplyTo });
  const head = world.github.pulls.find((p) => p.number === pull)!.head;
  const payload = webhookExample("pull_request_review_comment", "created");
  payload.comment = {
    ...{ ...payload.comment, id: stored.id, body, path: file, line, side: "RIGHT" },
    ...{ diff_hunk: stored.diffHunk, commit_id: stored.commitId },
    ...{ created_at: stored.createdAt, updated_at: stored.createdAt },
  };
  payload.comment.user = { ...payload.comment.user, login: OWNER, type: "User" };
  if (inReplyTo !== undefined) payload.comment.in_reply_to_id = inReplyTo;
  const pullHead = { ...payload.pull_request.head, ref: head, sha: stored.commitId };
  payload.pull_request = { ...payload.pull_request, number: pull, head: pullHead };
  payload.sender = { ...payload.sender, login: OWNER, type: "User" };
  return world.deliver("pull_request_review_comment", payload, body, stored.id);
}

/** The line of `file` on `branch` that contains `text` (1-based). */
export async function lineOf(world: E2eWorld, branch: string, file: string, text: string): Promise<number> {
  const content = (await world.bare.fileAt(branch, file)) ?? "";
  const line = content.split("\n").findIndex((l) => l.includes(text)) + 1;
  if (line === 0) throw new Error(`${file} on ${branch} has no ${JSON.stringify(text)}`);
  return line;
}

export interface Edit {
  file: string;
  find: string;
  replace: string;
  message: string;
}

/** A person's commit on `branch` replacing `find` by `replace` in `file`, pushed as a fast-forward. */
export async function personPushes(world: E2eWorld, branch: string, edit: Edit): Promise<string> {
  const { bare } = world;
  const { file, find, replace, message } = edit;
  const head = (await bare.head(branch))!;
  const text = (await bare.fileAt(branch, file)) ?? "";
  if (!text.includes(find)) throw new Error(`${file} on ${branch} has no ${JSON.stringify(find)}`);
  const tree = await bare.writeTree(head, [{ path: file, contents: Buffer.from(text.replace(find, replace)) }]);
  const commit = await bare.commitTree(tree, [head], message);
  if (!(await bare.updateBranch(branch, commit, head))) throw new Error(`${branch} moved meanwhile`);
  return commit;
}

export async function isAncestor(world: E2eWorld, ancestor: string, of: string): Promise<boolean> {
  const result = await git(["merge-base", "--is-ancestor", ancestor, of], { cwd: world.bare.dir, allowFailure: true });
  return result.exitCode === 0;
}
