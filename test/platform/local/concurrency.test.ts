import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createLocalIssue, createLocalPlatform, readLocalComments } from "../../../src/platform/local/index.js";
import type { Platform, ReactionContent } from "../../../src/platform/types.js";
import { TSX } from "../../helpers/tsx.js";
import { createTempRepo, type TempRepo } from "./fixture.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const WRITER = join(here, "concurrent-writer.ts");

let repo: TempRepo;
let platform: Platform;

beforeEach(async () => {
  repo = await createTempRepo();
  platform = createLocalPlatform({ repoDir: repo.dir });
  await createLocalIssue(repo.dir, { number: 1, title: "one", body: "", author: "alice" });
  await createLocalIssue(repo.dir, { number: 2, title: "two", body: "", author: "alice" });
});

afterEach(async () => {
  await repo.remove();
});

const commentFiles = async (issue: number) =>
  (await readdir(join(repo.dir, ".okstra-local", "issues", String(issue), "comments"))).filter((f) =>
    f.endsWith(".json"),
  );

describe("local platform: ids under concurrency", () => {
  it("gives 20 parallel createComment calls 20 distinct ids and 20 files", async () => {
    const comments = await Promise.all(Array.from({ length: 20 }, (_, i) => platform.createComment(1, `c${i}`)));
    expect(new Set(comments.map((c) => c.id)).size).toBe(20);
    expect(await commentFiles(1)).toHaveLength(20);
    expect((await readLocalComments(repo.dir, 1)).map((c) => c.body).sort()).toEqual(
      comments.map((c) => c.body).sort(),
    );
  });

  it("keeps comment ids unique across issues and across several processes writing at once", async () => {
    const writers = [
      [1, "p1"],
      [1, "p2"],
      [2, "p3"],
      [2, "p4"],
    ].map(([issue, author]) =>
      run(TSX, [WRITER, repo.dir, String(issue), "6", String(author)]).then(
        ({ stdout }) => JSON.parse(stdout) as number[],
      ),
    );
    const inProcess = Promise.all(Array.from({ length: 6 }, (_, i) => platform.createComment(2, `here ${i}`)));
    const [processIds, ownComments] = await Promise.all([Promise.all(writers), inProcess]);
    const ids = [...processIds.flat(), ...ownComments.map((c) => c.id)];
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(await commentFiles(1)).toHaveLength(12);
    expect(await commentFiles(2)).toHaveLength(18);
  }, 60_000);

  it("numbers parallel pull requests distinctly, above the issues", async () => {
    for (let s = 1; s <= 5; s++) await repo.commit(`okstra/1/s${s}`, { [`s${s}.txt`]: `${s}\n` });
    const pulls = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        platform.createPullRequest({
          title: `S${i + 1}`,
          body: "",
          head: `okstra/1/s${i + 1}`,
          base: "main",
          draft: true,
        }),
      ),
    );
    expect(pulls.map((p) => p.number).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7]);
  });

  it("opens one pull request when three calls race to open it for the same branch", async () => {
    await repo.commit("okstra/1/s1", { "s1.txt": "1\n" });
    const open = () =>
      platform.createPullRequest({ title: "S1", body: "", head: "okstra/1/s1", base: "main", draft: true });
    const results = await Promise.allSettled([open(), open(), open()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.status),
    ).toEqual([422, 422]);
  });

  it("loses no reaction when several land on one comment at once", async () => {
    const comment = await platform.createComment(1, "target");
    const contents: ReactionContent[] = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];
    await Promise.all(contents.map((content) => platform.addReaction(comment.id, content)));
    const [stored] = await readLocalComments(repo.dir, 1);
    expect(stored.reactions.map((r) => r.content).sort()).toEqual([...contents].sort());
    const leftovers = (await readdir(join(repo.dir, ".okstra-local"), { recursive: true })).filter((f) =>
      /\.(lock|tmp)$/.test(f),
    );
    expect(leftovers).toEqual([]);
  });
});
