import type { NativeStack, Platform, PullRequestInfo } from "../../platform/types.js";
import type { Logger } from "../../util/log.js";

/**
 * GitHub's native stacks for okstra's stage PRs (SPEC §15.5). A chain is a
 * run of open stage PRs each based on the previous one's head; a chain is
 * linear when no PR in it has two PRs based on it. Each linear chain of two
 * or more PRs is one native stack, bottom first:
 *   - a stack whose open PRs are the chain is kept;
 *   - one whose open PRs begin the chain gets the rest added on top;
 *   - any other stack of our PRs (the chain grew a branch, or changed shape)
 *     is unstacked, and the chain, if linear, created anew;
 *   - a stack that also holds someone else's open PR is theirs: it is left
 *     as it is, and the chains it touches get no stack of okstra's (a PR is
 *     in one stack at most). okstra never unstacks what a person arranged.
 * The navigation block is written whatever happens here: it covers the DAG.
 * Where the API answers that the feature is unavailable, that is remembered
 * (`StacksMemory`) and never asked again for the repository.
 */

export interface StacksMemory {
  unavailable(): Promise<boolean>;
  rememberUnavailable(): Promise<void>;
}

export type StackAction =
  | { kind: "kept"; stack: number; pulls: number[] }
  | { kind: "created"; stack: number; pulls: number[] }
  | { kind: "added"; stack: number; pulls: number[] }
  | { kind: "unstacked"; stack: number }
  | { kind: "left"; stack: number; pulls: number[] };

export type StackSync =
  | { kind: "no-chain" }
  | { kind: "unavailable"; remembered: boolean }
  | { kind: "synced"; actions: StackAction[] };

/** The linear chains (bottom first, two PRs or more) among `open` PRs, and whether any PR is based on another. */
export function linearChains(open: readonly PullRequestInfo[]): { chains: number[][]; linked: boolean } {
  const byHead = new Map(open.map((pr) => [pr.head, pr]));
  const children = new Map<number, number[]>();
  const parent = new Map<number, number>();
  for (const pr of open) {
    const below = byHead.get(pr.base);
    if (!below) continue;
    parent.set(pr.number, below.number);
    children.set(below.number, [...(children.get(below.number) ?? []), pr.number]);
  }
  // Bases are anyone's to edit: two PRs based on each other's branches would make the walk down endless.
  const rootOf = (n: number, seen = new Set<number>()): number => {
    if (!parent.has(n) || seen.has(n)) return n;
    seen.add(n);
    return rootOf(parent.get(n)!, seen);
  };
  const components = new Map<number, number[]>();
  for (const pr of open) components.set(rootOf(pr.number), [...(components.get(rootOf(pr.number)) ?? []), pr.number]);
  const chains: number[][] = [];
  for (const [root, members] of components) {
    if (members.length < 2 || members.some((n) => (children.get(n)?.length ?? 0) > 1)) continue;
    if (parent.has(root)) continue; // a cycle has no bottom: no stack
    const chain = [root];
    while (children.get(chain.at(-1)!)?.length === 1) chain.push(children.get(chain.at(-1)!)![0]!);
    chains.push(chain);
  }
  return { chains, linked: parent.size > 0 };
}

export async function syncNativeStacks(input: {
  platform: Platform;
  open: readonly PullRequestInfo[];
  memory: StacksMemory;
  log: Logger;
}): Promise<StackSync> {
  const { platform, log } = input;
  const { chains, linked } = linearChains(input.open);
  // No PR based on another: no stack to make or keep, and no request spent finding that out.
  if (!linked) return { kind: "no-chain" };
  if (!platform.stacks.supported) return { kind: "unavailable", remembered: true };
  if (await input.memory.unavailable()) return { kind: "unavailable", remembered: true };
  const existing = await platform.stacks.list();
  if (existing === "unavailable") {
    await input.memory.rememberUnavailable();
    log.info("native stacks are not available in this repository; the navigation block alone shows the stack");
    return { kind: "unavailable", remembered: false };
  }
  const ours = new Set(input.open.map((pr) => pr.number));
  const actions: StackAction[] = [];
  const placed = new Set<number[]>();
  for (const stack of existing) {
    const open = stack.pulls.filter((p) => p.open).map((p) => p.number);
    if (!open.some((n) => ours.has(n))) continue;
    if (open.some((n) => !ours.has(n))) {
      const members = new Set(stack.pulls.map((p) => p.number));
      for (const chain of chains) if (chain.some((n) => members.has(n))) placed.add(chain);
      actions.push({ kind: "left", stack: stack.number, pulls: open });
      continue;
    }
    actions.push(await reconcileStack(platform, stack, open, chains, placed));
  }
  for (const chain of chains) {
    if (placed.has(chain)) continue;
    const created = await platform.stacks.create(chain);
    actions.push({ kind: "created", stack: created.number, pulls: chain });
  }
  log.info({ actions }, "native stacks in step");
  return { kind: "synced", actions };
}

async function reconcileStack(
  platform: Platform,
  stack: NativeStack,
  open: number[],
  chains: number[][],
  placed: Set<number[]>,
): Promise<StackAction> {
  const chain = chains.find((c) => !placed.has(c) && c[0] === open[0]);
  if (chain && open.every((n, i) => chain[i] === n)) {
    placed.add(chain);
    if (open.length === chain.length) return { kind: "kept", stack: stack.number, pulls: chain };
    const rest = chain.slice(open.length);
    await platform.stacks.add(stack.number, rest);
    return { kind: "added", stack: stack.number, pulls: rest };
  }
  await platform.stacks.unstack(stack.number);
  return { kind: "unstacked", stack: stack.number };
}
