import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../../helpers/http-mock.js";
import { restCommit, restComparison, restGitCommit } from "./commit-fixtures.js";
import { API_REPO, githubPlatform } from "./fixture.js";

const sha = (c: string) => c.repeat(40);
const OLD = sha("a");
const NEW = sha("b");
const commit = (hex: string, tree: string, extra: { message?: string; name?: string; login?: string | null } = {}) =>
  restCommit(API_REPO, {
    sha: sha(hex),
    tree: sha(tree),
    message: extra.message ?? "feat: something\n\nbody",
    name: extra.name ?? "Alice Example",
    login: extra.login === undefined ? "alice" : extra.login,
  });

describe("GitHub platform: compareCommits (one request per comparison)", () => {
  it("a commit pushed on top: ahead, a different tree, the new commits with their authors", async () => {
    httpMock()
      .get(`${API_REPO}/compare/${OLD}...${NEW}`)
      .reply(
        200,
        restComparison(API_REPO, {
          base: commit("a", "1"),
          mergeBase: commit("a", "1"),
          status: "ahead",
          commits: [
            commit("c", "3", { message: "docs: a page", name: "Bob", login: null }),
            commit("b", "2", { message: "fix: round to cents\n\nwhy" }),
          ],
        }),
      );
    expect(await githubPlatform().compareCommits(OLD, NEW)).toEqual({
      status: "ahead",
      sameTree: false,
      commits: [
        { sha: sha("c"), author: "Bob", subject: "docs: a page" },
        { sha: NEW, author: "alice", subject: "fix: round to cents" },
      ],
    });
  });

  it("a rebase that changed nothing: diverged, and the head listed in the comparison has base's tree", async () => {
    httpMock()
      .get(`${API_REPO}/compare/${OLD}...${NEW}`)
      .reply(
        200,
        restComparison(API_REPO, {
          base: commit("a", "1"),
          mergeBase: commit("9", "0"),
          status: "diverged",
          commits: [commit("b", "1")],
          behindBy: 1,
        }),
      );
    expect(await githubPlatform().compareCommits(OLD, NEW)).toMatchObject({ status: "diverged", sameTree: true });
  });

  it("a branch reset to an ancestor: behind, and the merge base is the head", async () => {
    httpMock()
      .get(`${API_REPO}/compare/${OLD}...${NEW}`)
      .reply(
        200,
        restComparison(API_REPO, {
          base: commit("a", "1"),
          mergeBase: commit("b", "2"),
          status: "behind",
          commits: [],
          behindBy: 1,
        }),
      );
    expect(await githubPlatform().compareCommits(OLD, NEW)).toEqual({ status: "behind", sameTree: false, commits: [] });
  });

  it("reads the head's tree with a second request only when the comparison lists more commits than GitHub returns", async () => {
    const listed = Array.from({ length: 3 }, (_, i) => commit(String(i + 1), String(i + 1)));
    httpMock()
      .get(`${API_REPO}/compare/${OLD}...${NEW}`)
      .reply(
        200,
        restComparison(API_REPO, {
          base: commit("a", "1"),
          mergeBase: commit("a", "1"),
          status: "ahead",
          commits: listed,
          totalCommits: 300,
        }),
      )
      .get(`${API_REPO}/git/commits/${NEW}`)
      .reply(200, restGitCommit(API_REPO, NEW, sha("1")));
    expect(await githubPlatform().compareCommits(OLD, NEW)).toMatchObject({ status: "ahead", sameTree: true });
  });

  it("is null when GitHub does not know one of the commits (404)", async () => {
    httpMock().get(`${API_REPO}/compare/${OLD}...${NEW}`).reply(404, { message: "Not Found" });
    expect(await githubPlatform().compareCommits(OLD, NEW)).toBeNull();
  });
});
