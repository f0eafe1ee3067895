import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform } from "./fixture.js";

describe("GitHub platform: repository reads", () => {
  it("reads the permission from role_name, so maintain and triage are not flattened to write and read", async () => {
    httpMock()
      .get(`${API_REPO}/collaborators/mona/permission`)
      .reply(200, { permission: "write", role_name: "maintain", user: { login: "mona" } })
      .get(`${API_REPO}/collaborators/tri/permission`)
      .reply(200, { permission: "read", role_name: "triage", user: { login: "tri" } });
    const platform = githubPlatform();
    expect(await platform.getPermission("mona")).toBe("maintain");
    expect(await platform.getPermission("tri")).toBe("triage");
  });

  it("falls back to the legacy permission when role_name is a custom role", async () => {
    httpMock()
      .get(`${API_REPO}/collaborators/sec/permission`)
      .reply(200, { permission: "write", role_name: "security-engineer", user: { login: "sec" } });
    expect(await githubPlatform().getPermission("sec")).toBe("write");
  });

  it("gives none to a login that is not a collaborator (404)", async () => {
    httpMock().get(`${API_REPO}/collaborators/stranger/permission`).reply(404, { message: "Not Found" });
    expect(await githubPlatform().getPermission("stranger")).toBe("none");
  });

  it("asks for the default branch once per adapter", async () => {
    httpMock().get(API_REPO).once().reply(200, { name: "widgets", default_branch: "trunk" });
    const platform = githubPlatform();
    expect(await platform.getDefaultBranch()).toBe("trunk");
    expect(await platform.getDefaultBranch()).toBe("trunk");
  });

  it("reads a file's raw text at the ref asked", async () => {
    httpMock()
      .get(`${API_REPO}/contents/.github/okstra.yml`)
      .query({ ref: "main" })
      .matchHeader("accept", "application/vnd.github.raw+json")
      .reply(200, "minimumPermission: write\n", { "content-type": "text/plain; charset=utf-8" });
    expect(await githubPlatform().readFile(".github/okstra.yml", "main")).toBe("minimumPermission: write\n");
  });

  it("decodes base64 content when the server answers with the JSON object", async () => {
    httpMock()
      .get(`${API_REPO}/contents/docs/a%20b.md`)
      .query({ ref: "okstra/12/s1" })
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from("héllo ✓").toString("base64") });
    expect(await githubPlatform().readFile("docs/a b.md", "okstra/12/s1")).toBe("héllo ✓");
  });

  it("returns null for a file that is absent at the ref (404) and for a directory", async () => {
    httpMock()
      .get(`${API_REPO}/contents/.github/okstra.yml`)
      .query({ ref: "main" })
      .reply(404, { message: "Not Found" })
      .get(`${API_REPO}/contents/src`)
      .query({ ref: "main" })
      .reply(200, [{ type: "file", name: "index.ts", path: "src/index.ts" }]);
    const platform = githubPlatform();
    expect(await platform.readFile(".github/okstra.yml", "main")).toBeNull();
    expect(await platform.readFile("src", "main")).toBeNull();
  });

  it("rethrows errors other than 404 instead of treating them as absence", async () => {
    httpMock()
      .get(`${API_REPO}/contents/x`)
      .query({ ref: "main" })
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(githubPlatform().readFile("x", "main")).rejects.toMatchObject({ status: 403 });
  });

  it("reads a branch head through git/ref/heads with the slashes of the branch name kept", async () => {
    httpMock()
      .get(`${API_REPO}/git/ref/heads/okstra/12/s1`)
      .reply(200, { ref: "refs/heads/okstra/12/s1", object: { type: "commit", sha: "c".repeat(40) } })
      .get(`${API_REPO}/git/ref/heads/okstra/12/s9`)
      .reply(404, { message: "Not Found" });
    const platform = githubPlatform();
    expect(await platform.getBranchHead("okstra/12/s1")).toBe("c".repeat(40));
    expect(await platform.getBranchHead("okstra/12/s9")).toBeNull();
  });

  it("builds the git remote with the token only in the header, never in the URL", async () => {
    const token = "ghs_SECRET123";
    const remote = await githubPlatform({ token, serverUrl: "https://ghe.example.com/" }).gitRemote();
    expect(remote.url).toBe("https://ghe.example.com/acme/widgets.git");
    expect(remote.url).not.toContain(token);
    expect(remote.url).not.toContain("@");
    expect(remote.extraHeader).toBe(
      `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    );
    expect((await githubPlatform().gitRemote()).url).toBe("https://github.com/acme/widgets.git");
  });
});
