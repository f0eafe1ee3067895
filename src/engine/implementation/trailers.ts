import { git } from "../../util/git.js";

/**
 * Every commit okstra pushes carries `Okstra-Task: #N` and `Okstra-Stage: S`
 * (SPEC §6.3). Commits missing them are rebuilt with git plumbing — same
 * tree, author and dates, trailers added — before anything is pushed, so no
 * published commit is ever rewritten.
 */
export async function ensureTrailers(repoDir: string, base: string, task: number, stage: number): Promise<string> {
  const shas = (await git(["rev-list", "--reverse", "--topo-order", `${base}..HEAD`], { cwd: repoDir })).stdout
    .split("\n")
    .filter(Boolean);
  let parent = base;
  let rewritten = false;
  for (const sha of shas) {
    const message = (await git(["log", "-1", "--format=%B", sha], { cwd: repoDir })).stdout;
    const withTrailers = (
      await git(
        [
          "interpret-trailers",
          "--if-exists",
          "doNothing",
          "--trailer",
          `Okstra-Task: #${task}`,
          "--trailer",
          `Okstra-Stage: ${stage}`,
        ],
        {
          cwd: repoDir,
          input: message,
        },
      )
    ).stdout;
    const parents = (await git(["log", "-1", "--format=%P", sha], { cwd: repoDir })).stdout
      .trim()
      .split(" ")
      .filter(Boolean);
    if (!rewritten && withTrailers.trim() === message.trim() && parents.length === 1 && parents[0] === parent) {
      parent = sha;
      continue;
    }
    rewritten = true;
    const [tree, name, email, date, cname, cemail, cdate] = (
      await git(["log", "-1", "--format=%T%n%an%n%ae%n%aI%n%cn%n%ce%n%cI", sha], { cwd: repoDir })
    ).stdout.split("\n");
    const otherParents = parents.slice(1).flatMap((p) => ["-p", p]);
    parent = (
      await git(["commit-tree", tree, "-p", parent, ...otherParents], {
        cwd: repoDir,
        input: withTrailers,
        env: {
          GIT_AUTHOR_NAME: name,
          GIT_AUTHOR_EMAIL: email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: cname,
          GIT_COMMITTER_EMAIL: cemail,
          GIT_COMMITTER_DATE: cdate,
        },
      })
    ).stdout.trim();
  }
  if (rewritten) await git(["reset", "--quiet", "--soft", parent], { cwd: repoDir });
  return parent;
}
