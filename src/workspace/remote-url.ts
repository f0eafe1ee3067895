import { createHash } from "node:crypto";
import { basename, resolve } from "node:path";
import { CredentialInUrlError } from "./errors.js";

/**
 * Remote URLs as the workspace sees them. A URL ends up in two places on disk
 * — the mirror's directory name and a clone's `origin` — so it must never hold
 * a credential: GitHub's token travels only as a per-command header.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/;

/** Refuses URLs with a password, and http(s) URLs with any user part (GitHub accepts a token as the user name). */
export function assertCredentialFreeUrl(url: string): void {
  if (!SCHEME.test(url)) return; // scp-like `git@host:path` names an ssh user, never a secret; paths have none
  const parsed = new URL(url);
  const isHttp = parsed.protocol === "http:" || parsed.protocol === "https:";
  if (parsed.password !== "" || (isHttp && parsed.username !== "")) throw new CredentialInUrlError();
}

/**
 * A file-system-safe, stable name for a remote's mirror: a readable part
 * (host and path) plus a hash of the normalised URL, so two remotes never
 * share a mirror and the same remote always finds its own. User info is
 * dropped before anything else, so no credential can reach the name.
 */
export function mirrorKey(url: string): string {
  const { readable, normalised } = normaliseRemote(url);
  const hash = createHash("sha256").update(normalised).digest("hex").slice(0, 16);
  const safe = readable
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(-80);
  return `${safe || "repo"}-${hash}`;
}

function normaliseRemote(url: string): { readable: string; normalised: string } {
  if (SCHEME.test(url)) {
    const parsed = new URL(url);
    const path = trimRepoPath(decodeURIComponent(parsed.pathname));
    if (parsed.protocol === "file:") return { readable: basename(path), normalised: `file://${resolve(path)}` };
    const host = parsed.host.toLowerCase();
    return { readable: `${host}${path}`, normalised: `${parsed.protocol}//${host}${path}` };
  }
  const scp = SCP_LIKE.exec(url);
  if (scp && !url.startsWith("/") && !url.startsWith(".")) {
    const host = scp[1].toLowerCase();
    const path = trimRepoPath(`/${scp[2]}`);
    return { readable: `${host}${path}`, normalised: `ssh://${host}${path}` };
  }
  const path = trimRepoPath(resolve(url));
  return { readable: basename(path), normalised: `file://${path}` };
}

function trimRepoPath(path: string): string {
  return path.replace(/\/+$/, "").replace(/\.git$/, "");
}

/**
 * The URL to hand git from another working directory: a relative local path
 * (allowed for the local platform) is made absolute, anything else is kept.
 */
export function absoluteRemoteUrl(url: string): string {
  if (url.startsWith("-")) throw new Error("a remote URL cannot start with '-'");
  if (SCHEME.test(url) || (SCP_LIKE.test(url) && !url.startsWith("/") && !url.startsWith("."))) return url;
  return resolve(url);
}
