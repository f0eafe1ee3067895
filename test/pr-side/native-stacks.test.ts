import { afterEach, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { linearChains, syncNativeStacks } from "../../src/engine/pull-requests/native-stacks.js";
import { ledgerStacksMemory } from "../../src/engine/pull-requests/stacks-memory.js";
import { NATIVE_STACKS_FILE } from "../../src/ledger/index.js";
import { createGitHubPlatform } from "../../src/platform/github/index.js";
import type { Platform, PullRequestInfo } from "../../src/platform/types.js";
import { silentLogger } from "../../src/util/log.js";
import { httpMock } from "../helpers/http-mock.js";
import { createStageRepo, type StageRepo } from "../stage-prs/local-repo.js";

/**
 * SPEC §15.5 against GitHub's Stacks REST API, every exchange checked against
 * GitHub's published contract (http-mock), with okstra's memory in a real
 * local ledger: a chain becomes a stack, grows after its bottom merges, is
 * unstacked when it stops being linear; "unavailable" is asked once.
 */

const STACKS = "/repos/o/r/stacks";
const SHA = "a".repeat(40);

function github(): Platform {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return createGitHubPlatform(
    new Octokit({ auth: "ghs_test", log: quiet }),
    { owner: "o", repo: "r" },
    { installationToken: async () => "ghs_test" },
  );
}

const pr = (number: number, stage: number, base: string, state: "open" | "closed" = "open"): PullRequestInfo => ({
  number,
  title: `Stage ${stage}`,
  body: "",
  head: `okstra/12/s${stage}`,
  base,
  draft: true,
  state,
  merged: state === "closed",
  url: `https://github.com/o/r/pull/${number}`,
});

/** A stack as `GET …/stacks` lists it (pull-request-stack-minimal). */
function listed(number: number, pulls: Array<[number, "open" | "merged"]>) {
  return {
    id: 9000 + number,
    number,
    node_id: `S_${number}`,
    url: `https://api.github.com${STACKS}/${number}`,
    base: { ref: "main" },
    open: true,
    created_at: "2026-12-01T10:00:00Z",
    pull_requests: pulls.map(([n, state]) => ({
      number: n,
      state: state === "open" ? "open" : "closed",
      draft: true,
      merged_at: state === "merged" ? "2026-12-02T10:00:00Z" : null,
      head: { ref: `okstra/12/s${n - 100}`, sha: SHA },
    })),
  };
}

/** A stack as create/add answer it (pull-request-stack-pull-request entries). */
function full(number: number, pulls: Array<[number, "open" | "merged"]>) {
  const repo = { id: 1, url: "https://api.github.com/repos/o/r", name: "r" };
  return {
    ...listed(number, pulls),
    pull_requests: pulls.map(([n, state], i) => ({
      id: 5000 + n,
      number: n,
      url: `https://api.github.com/repos/o/r/pulls/${n}`,
      head: { ref: `okstra/12/s${n - 100}`, sha: SHA, repo },
      base: { ref: i === 0 ? "main" : `okstra/12/s${n - 101}`, sha: SHA, repo },
      node_id: `PR_${n}`,
      title: `Stage ${n - 100}`,
      state: state === "open" ? "open" : "closed",
      merged_at: state === "merged" ? "2026-12-02T10:00:00Z" : null,
      draft: true,
      html_url: `https://github.com/o/r/pull/${n}`,
      user: null,
    })),
  };
}

function capture(into: unknown[]) {
  return (body: unknown) => {
    into.push(body);
    return true;
  };
}

let repo: StageRepo | undefined;
afterEach(async () => {
  await repo?.dispose();
  repo = undefined;
});

describe("native stacks (GitHub's Stacks API)", () => {
  it("finds linear chains and nothing else", () => {
    expect(linearChains([pr(101, 1, "main"), pr(102, 2, "okstra/12/s1"), pr(103, 3, "okstra/12/s2")])).toEqual({
      chains: [[101, 102, 103]],
      linked: true,
    });
    // 1 → 2 and 1 → 3: a fork, not a stack.
    expect(linearChains([pr(101, 1, "main"), pr(102, 2, "okstra/12/s1"), pr(103, 3, "okstra/12/s1")])).toEqual({
      chains: [],
      linked: true,
    });
    expect(linearChains([pr(101, 1, "main"), pr(102, 2, "main")])).toEqual({ chains: [], linked: false });
  });

  it("makes no chain of PRs based on each other's branches, and does not loop on them", () => {
    const cycle = [
      pr(101, 1, "okstra/12/s2"),
      pr(102, 2, "okstra/12/s1"),
      pr(103, 3, "main"),
      pr(104, 4, "okstra/12/s3"),
    ];
    expect(linearChains(cycle)).toEqual({ chains: [[103, 104]], linked: true });
  });

  it("creates a stack for a chain, adds to it after its bottom merged, and unstacks it when the chain forks", async () => {
    repo = await createStageRepo([1]);
    const memory = ledgerStacksMemory(repo.ledger);
    const sent: unknown[] = [];

    // 1. Three stage PRs, each on the previous one's branch.
    httpMock()
      .get(STACKS)
      .query({ per_page: "100" })
      .reply(200, [])
      .post(STACKS, capture(sent))
      .reply(
        201,
        full(7, [
          [101, "open"],
          [102, "open"],
          [103, "open"],
        ]),
      );
    const chain = [pr(101, 1, "main"), pr(102, 2, "okstra/12/s1"), pr(103, 3, "okstra/12/s2")];
    expect(await syncNativeStacks({ platform: github(), open: chain, memory, log: silentLogger })).toEqual({
      kind: "synced",
      actions: [{ kind: "created", stack: 7, pulls: [101, 102, 103] }],
    });
    expect(sent).toEqual([{ pull_requests: [101, 102, 103] }]);

    // 2. The bottom merged (its dependent retargeted to main) and stage 4's PR opened on stage 3: added on top.
    const after = [pr(102, 2, "main"), pr(103, 3, "okstra/12/s2"), pr(104, 4, "okstra/12/s3")];
    httpMock()
      .get(STACKS)
      .query({ per_page: "100" })
      .reply(200, [
        listed(7, [
          [101, "merged"],
          [102, "open"],
          [103, "open"],
        ]),
      ])
      .post(`${STACKS}/7/add`, capture(sent))
      .reply(
        200,
        full(7, [
          [101, "merged"],
          [102, "open"],
          [103, "open"],
          [104, "open"],
        ]),
      );
    expect(await syncNativeStacks({ platform: github(), open: after, memory, log: silentLogger })).toEqual({
      kind: "synced",
      actions: [{ kind: "added", stack: 7, pulls: [104] }],
    });
    expect(sent[1]).toEqual({ pull_requests: [104] });

    // 3. A second PR on stage 2's branch: no longer a line, so no longer a stack.
    const forked = [...after, pr(105, 5, "okstra/12/s2")];
    httpMock()
      .get(STACKS)
      .query({ per_page: "100" })
      .reply(200, [
        listed(7, [
          [101, "merged"],
          [102, "open"],
          [103, "open"],
          [104, "open"],
        ]),
      ])
      .post(`${STACKS}/7/unstack`)
      .reply(204);
    expect(await syncNativeStacks({ platform: github(), open: forked, memory, log: silentLogger })).toEqual({
      kind: "synced",
      actions: [{ kind: "unstacked", stack: 7 }],
    });
  });

  it("leaves a stack a person built with a PR of their own as it is, and makes no stack of okstra's beside it", async () => {
    repo = await createStageRepo([1]);
    const memory = ledgerStacksMemory(repo.ledger);
    // Someone stacked their PR #201 on stage 1's PR; okstra's chain is 101 → 102.
    httpMock()
      .get(STACKS)
      .query({ per_page: "100" })
      .reply(200, [
        listed(8, [
          [101, "open"],
          [201, "open"],
        ]),
      ]);
    const open = [pr(101, 1, "main"), pr(102, 2, "okstra/12/s1")];
    // Only the list is mocked: an unstack or a create would fail the test.
    expect(await syncNativeStacks({ platform: github(), open, memory, log: silentLogger })).toEqual({
      kind: "synced",
      actions: [{ kind: "left", stack: 8, pulls: [101, 201] }],
    });
  });

  it("keeps a stack that is in step, and asks nothing where no PR is based on another", async () => {
    repo = await createStageRepo([1]);
    const memory = ledgerStacksMemory(repo.ledger);
    httpMock()
      .get(STACKS)
      .query({ per_page: "100" })
      .reply(200, [
        listed(7, [
          [101, "merged"],
          [102, "open"],
          [103, "open"],
        ]),
      ]);
    const open = [pr(102, 2, "main"), pr(103, 3, "okstra/12/s2")];
    expect(await syncNativeStacks({ platform: github(), open, memory, log: silentLogger })).toEqual({
      kind: "synced",
      actions: [{ kind: "kept", stack: 7, pulls: [102, 103] }],
    });
    // No mock: a request would fail the test.
    expect(
      await syncNativeStacks({ platform: github(), open: [pr(101, 1, "main")], memory, log: silentLogger }),
    ).toEqual({ kind: "no-chain" });
  });

  it("falls back to the navigation block where the API says the feature is unavailable, and remembers it in the ledger", async () => {
    repo = await createStageRepo([1]);
    const chain = [pr(101, 1, "main"), pr(102, 2, "okstra/12/s1")];
    httpMock().get(STACKS).query({ per_page: "100" }).reply(404, {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/pulls/stacks#list-pull-request-stacks",
    });
    expect(
      await syncNativeStacks({
        platform: github(),
        open: chain,
        memory: ledgerStacksMemory(repo.ledger),
        log: silentLogger,
      }),
    ).toEqual({ kind: "unavailable", remembered: false });
    const stored = JSON.parse((await (await repo.ledger.snapshot()).raw.read(NATIVE_STACKS_FILE))!) as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({ available: false });
    // The note does not make the ledger's tasks look tampered with.
    const task = await repo.task();
    expect(task.untrusted).toEqual([]);
    expect((await repo.ledger.listTasks()).length).toBe(1);

    // A later run (a new memory over the same ledger): no stacks request at all — an unmocked one fails the test.
    expect(
      await syncNativeStacks({
        platform: github(),
        open: chain,
        memory: ledgerStacksMemory(repo.ledger),
        log: silentLogger,
      }),
    ).toEqual({ kind: "unavailable", remembered: true });
  });

  it("the local platform answers that native stacks are unavailable", async () => {
    repo = await createStageRepo([1]);
    expect(await repo.platform.stacks.list()).toBe("unavailable");
  });
});
