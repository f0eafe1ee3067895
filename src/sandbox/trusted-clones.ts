/**
 * What a workspace clone needs beyond itself, as okstra (not the clone) knows
 * it: a `clone --shared` borrows its objects from the repository's mirror, so
 * git inside the sandbox must read `<mirror>/objects`. The list is recorded
 * when okstra opens the workspace; the clone's own
 * `.git/objects/info/alternates` is never read for this, since an executor
 * can rewrite it to name any directory on the host.
 */

const extras = new Map<string, readonly string[]>();

export function trustClone(clone: string, readOnlyPaths: readonly string[]): void {
  extras.set(clone, [...readOnlyPaths]);
}

export function forgetClone(clone: string): void {
  extras.delete(clone);
}

export function trustedReadOnlyPaths(clone: string): readonly string[] {
  return extras.get(clone) ?? [];
}
