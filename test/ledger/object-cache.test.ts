import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { applyChanges, gitBlobSha, ObjectCache } from "../../src/ledger/object-cache.js";
import { git } from "../../src/util/git.js";
import { tempRepo, type TempRepo } from "./fixtures.js";

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo();
});
afterEach(async () => {
  await repo.cleanup();
});

describe("object cache", () => {
  it("predicts the blob id git gives a text, multi-byte characters included", async () => {
    for (const text of ["", "{}\n", '{"title":"Ümlaut — 日本語 ✅"}\n', "no final newline"]) {
      const { stdout } = await git(["hash-object", "--stdin"], { cwd: repo.dir, input: text });
      expect(gitBlobSha(text)).toBe(stdout.trim());
    }
  });

  it("applies changes to a listing: writes get their blob ids, deletions disappear", () => {
    const before = new Map([
      ["a.json", gitBlobSha("a")],
      ["b.json", gitBlobSha("b")],
    ]);
    const { entries, blobs } = applyChanges(
      before,
      new Map([
        ["a.json", null],
        ["c.json", "c"],
      ]),
    );
    expect([...entries]).toEqual([
      ["b.json", gitBlobSha("b")],
      ["c.json", gitBlobSha("c")],
    ]);
    expect([...blobs]).toEqual([[gitBlobSha("c"), "c"]]);
  });

  it("forgets the least recently used blobs past its size limit", () => {
    const cache = new ObjectCache({ blobChars: 10 });
    cache.setBlob("one", "12345");
    cache.setBlob("two", "12345");
    cache.blob("one"); // touch: now "two" is the oldest
    cache.setBlob("three", "12345");
    expect([cache.blob("one"), cache.blob("two"), cache.blob("three")]).toEqual(["12345", undefined, "12345"]);
  });
});
