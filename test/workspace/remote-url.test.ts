import { describe, expect, it } from "@jest/globals";
import { CredentialInUrlError } from "../../src/workspace/errors.js";
import { absoluteRemoteUrl, assertCredentialFreeUrl, mirrorKey } from "../../src/workspace/remote-url.js";

describe("remote URLs", () => {
  it("names a mirror after host and path, the same for equivalent spellings", () => {
    const key = mirrorKey("https://github.com/Octo/Repo.git");
    expect(key).toMatch(/^github\.com-Octo-Repo-[0-9a-f]{16}$/);
    expect(mirrorKey("https://GITHUB.com/Octo/Repo/")).toBe(key);
    expect(mirrorKey("https://github.com/Octo/Repo")).toBe(key);
  });

  it("never lets user info into the name", () => {
    const key = mirrorKey("https://x-access-token:ghs_secret@github.com/o/r.git");
    expect(key).not.toContain("ghs_secret");
    expect(key).not.toContain("x-access-token");
    expect(key).toBe(mirrorKey("https://github.com/o/r.git"));
  });

  it("gives different remotes different names, and only safe characters", () => {
    const keys = [
      "https://github.com/o/r.git",
      "https://github.com/o/r2.git",
      "https://ghe.example.com/o/r.git",
      "/srv/repos/r",
      "git@github.com:o/r.git",
      "/tmp/a b/../r",
    ].map(mirrorKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it("refuses URLs with credentials, accepts those without", () => {
    for (const url of [
      "https://x-access-token:t@github.com/o/r.git",
      "https://ghp_token@github.com/o/r.git",
      "ssh://git:pw@host/r.git",
    ]) {
      expect(() => assertCredentialFreeUrl(url)).toThrow(CredentialInUrlError);
      expect(() => assertCredentialFreeUrl(url)).not.toThrow(/t@|ghp_token|pw/);
    }
    for (const url of [
      "https://github.com/o/r.git",
      "git@github.com:o/r.git",
      "ssh://git@host/r.git",
      "/srv/repos/r",
      "file:///srv/r",
    ]) {
      expect(() => assertCredentialFreeUrl(url)).not.toThrow();
    }
  });

  it("makes relative local paths absolute and refuses option-like URLs", () => {
    expect(absoluteRemoteUrl("repo")).toBe(`${process.cwd()}/repo`);
    expect(absoluteRemoteUrl("https://github.com/o/r.git")).toBe("https://github.com/o/r.git");
    expect(absoluteRemoteUrl("git@github.com:o/r.git")).toBe("git@github.com:o/r.git");
    expect(() => absoluteRemoteUrl("--upload-pack=evil")).toThrow();
  });
});
