import { describe, expect, it } from "@jest/globals";
import type { DataMatcherMap } from "nock";
import { MAX_OUTPUT_TEXT_CHARS, truncateWithNotice } from "../../../src/platform/github/index.js";
import type { CheckAnnotation } from "../../../src/platform/types.js";
import { httpMock } from "../../helpers/http-mock.js";
import { API_REPO, githubPlatform } from "./fixture.js";

const SHA = "d".repeat(40);

function annotations(count: number): CheckAnnotation[] {
  return Array.from({ length: count }, (_, i) => ({
    path: "src/a.ts",
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "warning",
    message: `finding ${i + 1}`,
  }));
}

/** The JSON GitHub receives; typed for nock, whose matcher wants index signatures that interfaces lack. */
function body(value: object): DataMatcherMap {
  return JSON.parse(JSON.stringify(value)) as DataMatcherMap;
}

function restRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 9001,
    name: "okstra / stage 1",
    head_sha: SHA,
    status: "in_progress",
    conclusion: null,
    html_url: "https://github.com/acme/widgets/runs/9001",
    ...overrides,
  };
}

describe("GitHub platform: check runs", () => {
  it("maps the camelCase write to the REST body on create", async () => {
    const actions = [{ label: "Re-verify", description: "Run verification again", identifier: "reverify" }];
    httpMock()
      .post(`${API_REPO}/check-runs`, {
        name: "okstra / stage 1",
        head_sha: SHA,
        status: "in_progress",
        external_id: "12/1/r7",
        output: { title: "Verifying", summary: "two verifiers" },
        actions,
      })
      .reply(201, restRun());
    const run = await githubPlatform().createCheckRun({
      name: "okstra / stage 1",
      headSha: SHA,
      status: "in_progress",
      externalId: "12/1/r7",
      output: { title: "Verifying", summary: "two verifiers" },
      actions,
    });
    expect(run).toEqual({
      id: 9001,
      name: "okstra / stage 1",
      headSha: SHA,
      status: "in_progress",
      conclusion: null,
      url: "https://github.com/acme/widgets/runs/9001",
    });
  });

  it("sends 120 annotations as three requests of 50, 50 and 20, each with title and summary", async () => {
    const all = annotations(120);
    const output = { title: "Blocked", summary: "3 findings" };
    httpMock()
      .post(
        `${API_REPO}/check-runs`,
        body({
          name: "okstra / stage 1",
          head_sha: SHA,
          conclusion: "failure",
          output: { ...output, annotations: all.slice(0, 50) },
        }),
      )
      .reply(201, restRun({ status: "completed", conclusion: "failure" }))
      .patch(`${API_REPO}/check-runs/9001`, body({ output: { ...output, annotations: all.slice(50, 100) } }))
      .reply(200, restRun())
      .patch(`${API_REPO}/check-runs/9001`, body({ output: { ...output, annotations: all.slice(100) } }))
      .reply(200, restRun());
    const run = await githubPlatform().createCheckRun({
      name: "okstra / stage 1",
      headSha: SHA,
      conclusion: "failure",
      output: { ...output, annotations: all },
    });
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("batches annotations of an update the same way, the other fields in the first request only", async () => {
    const all = annotations(60);
    const output = { title: "Accepted", summary: "ok" };
    httpMock()
      .patch(
        `${API_REPO}/check-runs/9001`,
        body({ status: "completed", conclusion: "success", output: { ...output, annotations: all.slice(0, 50) } }),
      )
      .reply(200, restRun())
      .patch(`${API_REPO}/check-runs/9001`, body({ output: { ...output, annotations: all.slice(50) } }))
      .reply(200, restRun());
    await githubPlatform().updateCheckRun(9001, {
      status: "completed",
      conclusion: "success",
      output: { ...output, annotations: all },
    });
  });

  it("truncates a summary over 65,535 characters with an explicit notice", async () => {
    const summary = "x".repeat(70_000);
    let sent = "";
    httpMock()
      .patch(`${API_REPO}/check-runs/9001`, (body: { output: { summary: string } }) => {
        sent = body.output.summary;
        return true;
      })
      .reply(200, restRun());
    await githubPlatform().updateCheckRun(9001, { output: { title: "Report", summary } });
    expect(sent.length).toBeLessThanOrEqual(MAX_OUTPUT_TEXT_CHARS);
    expect(sent.startsWith("x".repeat(60_000))).toBe(true);
    const omitted = Number(/truncated by okstra: (\d+) characters omitted/.exec(sent)?.[1]);
    expect(sent.indexOf("\n\n…") + omitted).toBe(70_000);
  });

  it("never cuts an emoji in half when truncating", () => {
    const text = "😀".repeat(40_000);
    const cut = truncateWithNotice(text);
    expect(cut.length).toBeLessThanOrEqual(MAX_OUTPUT_TEXT_CHARS);
    expect(cut.includes("\uFFFD")).toBe(false);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false);
    expect(truncateWithNotice("short")).toBe("short");
  });
});
