import { afterEach, describe, expect, it } from "@jest/globals";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The App manifest as Probot's own setup flow builds it from app.yml
 * (`ManifestCreation.getManifest`, the code behind the "Register GitHub App"
 * button on first `npm start`). Probot does not export the class, so it is
 * loaded from its file.
 */
const require = createRequire(import.meta.url);
const probotLib = path.dirname(require.resolve("probot"));
const { ManifestCreation } = (await import(pathToFileURL(path.join(probotLib, "manifest-creation.js")).href)) as {
  ManifestCreation: new () => { getManifest(options: { pkg: object; baseUrl: string }): string };
};

function manifest(): Record<string, any> {
  return JSON.parse(
    new ManifestCreation().getManifest({ pkg: { name: "okstra", description: "d" }, baseUrl: "http://localhost:3000" }),
  );
}

const savedProxy = process.env.WEBHOOK_PROXY_URL;
afterEach(() => {
  if (savedProxy === undefined) delete process.env.WEBHOOK_PROXY_URL;
  else process.env.WEBHOOK_PROXY_URL = savedProxy;
});

describe("app.yml through Probot's setup flow", () => {
  it("registers the App with Probot's webhook URL: the smee.io channel of the setup flow", () => {
    process.env.WEBHOOK_PROXY_URL = "https://smee.io/okstra-test-channel";
    expect(manifest().hook_attributes).toEqual({ url: "https://smee.io/okstra-test-channel" });
  });

  it("without a proxy, the webhook URL is the server Probot runs on", () => {
    delete process.env.WEBHOOK_PROXY_URL;
    expect(manifest().hook_attributes.url).toBe("http://localhost:3000/");
  });

  it("asks for the workflows permission and the check_suite event, private by default", () => {
    const registered = manifest();
    expect(registered.default_permissions).toEqual({
      contents: "write",
      issues: "write",
      pull_requests: "write",
      checks: "write",
      metadata: "read",
      workflows: "write",
    });
    expect(registered.default_events).toEqual([
      "issue_comment",
      "pull_request",
      "pull_request_review_comment",
      "check_run",
      "check_suite",
    ]);
    expect(registered.public).toBe(false);
    expect(registered.redirect_url).toBe("http://localhost:3000/probot/setup");
  });
});
