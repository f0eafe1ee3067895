/**
 * What one sandboxed process may touch (SPEC §14.1), as its caller states it.
 * The executor gets its clone read-write, every other role read-only;
 * setup/validation/qa commands get the clone read-write.
 */
export interface SandboxAccess {
  /** The workspace clone (also the working directory). */
  clone: string;
  cloneWritable: boolean;
  /** Extra read-write directories: the attempt's scratch dir and private HOME, package caches. */
  writablePaths?: string[];
  /** Extra read-only paths the caller vouches for. */
  readOnlyPaths?: string[];
  /** Network access; on unless `sandbox.network: off` cuts setup and validation off it. */
  network?: boolean;
}
