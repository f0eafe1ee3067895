import { describe, expect, it } from "@jest/globals";
import { githubJobProcessor } from "../../src/queue/github-processor.js";
import type { CommandJob } from "../../src/queue/types.js";
import { createMetrics } from "../../src/server/metrics.js";
import { httpMock } from "../helpers/http-mock.js";
import { createTestApp, INSTALLATION_TOKEN, mockInstallationToken } from "../helpers/probot.js";

const REPO = "/repos/Codertocat/Hello-World";

function helpJob(author: string): CommandJob {
  return {
    deliveryId: `delivery-${author}`,
    repo: { owner: "Codertocat", repo: "Hello-World" },
    installationId: 1,
    issueNumber: 1,
    isPullRequest: false,
    comment: { id: 492700400, body: "/okstra help", author, createdAt: "2026-11-21T10:00:00Z" },
    receivedAt: "2026-11-21T10:00:01Z",
  };
}

/** Default branch, config (absent), permission: how every command starts on GitHub. */
function mockCommandStart(login: string, permission: string) {
  const github = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
  github
    .get(REPO)
    .reply(200, { id: 1296269, name: "Hello-World", full_name: "Codertocat/Hello-World", default_branch: "main" });
  github.get(`${REPO}/contents/.github/okstra.yml`).query({ ref: "main" }).reply(404, { message: "Not Found" });
  github
    .get(`${REPO}/collaborators/${login}/permission`)
    .reply(200, { permission, role_name: permission, user: { login } });
  return github;
}

const created = {
  id: 9001,
  body: "",
  user: { login: "okstra[bot]" },
  created_at: "2026-11-21T10:00:00Z",
  updated_at: "2026-11-21T10:00:00Z",
};

describe("the GitHub job processor's metrics", () => {
  it("gives the engine its registry: a command is counted by verb and outcome next to the GitHub requests it made", async () => {
    const { probot } = await createTestApp();
    const metrics = createMetrics();
    const processor = githubJobProcessor(probot, { metrics, statusIntervalMs: 0 });

    mockInstallationToken(); // once: Probot keeps the token for the second job
    const github = mockCommandStart("Codertocat", "admin");
    github
      .post(`${REPO}/issues/comments/492700400/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" });
    github.post(`${REPO}/issues/1/comments`).reply(201, created);
    await processor(helpJob("Codertocat"));

    // A reader is refused before okstra reads the configuration (authorised first, SPEC §2).
    const refused = httpMock().matchHeader("authorization", `token ${INSTALLATION_TOKEN}`);
    refused
      .get(`${REPO}/collaborators/reader/permission`)
      .reply(200, { permission: "read", role_name: "read", user: { login: "reader" } });
    refused.post(`${REPO}/issues/1/comments`).reply(201, created);
    await processor(helpJob("reader"));

    const text = await metrics.registry.metrics();
    expect(text).toContain('okstra_runs_total{phase="help",outcome="carried-out"} 1');
    expect(text).toContain('okstra_runs_total{phase="help",outcome="refused"} 1');
    expect(text).toContain(
      'okstra_github_requests_total{method="GET",route="/repos/{owner}/{repo}/collaborators/{username}/permission",status="200"} 2',
    );
  });
});
