import { describe, expect, it } from "@jest/globals";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform, restComment, restPull } from "./fixture.js";

/** The adapter is the last guard: whatever a renderer hands it, GitHub gets a body, title and annotation it accepts. */

const SHA = "c".repeat(40);

function capture(into: Array<Record<string, any>>) {
  return (body: Record<string, any>) => {
    into.push(body);
    return true;
  };
}

describe("GitHub's size limits, enforced by the adapter", () => {
  it("fits an annotation message to 64 KB of UTF-8, with a notice", async () => {
    const sent: Array<Record<string, any>> = [];
    httpMock().post(`${API_REPO}/check-runs`, capture(sent)).reply(201, {
      id: 1,
      name: "okstra / stage 1",
      head_sha: SHA,
      status: "completed",
      conclusion: "failure",
      html_url: null,
    });
    const message = "é".repeat(50_000); // 100,000 bytes in 50,000 characters
    await githubPlatform().createCheckRun({
      name: "okstra / stage 1",
      headSha: SHA,
      conclusion: "failure",
      output: {
        title: "t",
        summary: "s",
        annotations: [
          { path: "a.ts", start_line: 1, end_line: 1, annotation_level: "failure", message, title: "T".repeat(300) },
        ],
      },
    });
    const annotation = sent[0]!.output.annotations[0];
    expect(Buffer.byteLength(annotation.message, "utf8")).toBeLessThanOrEqual(64 * 1024);
    expect(annotation.message).toMatch(/… truncated by okstra: \d+ characters omitted/);
    expect(annotation.title).toHaveLength(255);
  });

  it("fits a comment body to 65,536 characters and a pull request title to 256", async () => {
    const sent: Array<Record<string, any>> = [];
    httpMock()
      .post(`${API_REPO}/issues/12/comments`, capture(sent))
      .reply(201, restComment(1, "x"))
      .post(`${API_REPO}/pulls`, capture(sent))
      .reply(201, restPull())
      .patch(`${API_REPO}/pulls/101`, capture(sent))
      .reply(200, restPull());
    const platform = githubPlatform();
    await platform.createComment(12, "x".repeat(70_000));
    await platform.createPullRequest({
      title: "T".repeat(300),
      body: "b".repeat(70_000),
      head: "okstra/12/s1",
      base: "main",
      draft: true,
    });
    await platform.updatePullRequest(101, { title: "U".repeat(300), body: "c".repeat(70_000) });
    for (const body of sent) expect(body.body.length).toBeGreaterThan(65_500);
    for (const body of sent) expect(body.body.length).toBeLessThanOrEqual(65_536);
    expect(sent[0]!.body).toContain("truncated by okstra");
    expect([sent[1]!.title.length, sent[2]!.title.length]).toEqual([256, 256]);
  });
});
