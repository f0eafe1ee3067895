import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../../src/util/git.js";

/**
 * Where on disk a credential ended up. Files are searched as bytes, which
 * finds a token in a config file, a log, a FETCH_HEAD or a loose text file;
 * git objects are zlib-compressed, so every object of every repository found
 * is also decompressed (`cat-file --batch-all-objects`) and searched — a
 * token in a commit message or a committed file would otherwise hide there.
 */

/** The forms an installation token travels in: itself, and the Basic credential git sends. */
export function tokenForms(token: string): string[] {
  return [token, Buffer.from(`x-access-token:${token}`).toString("base64"), Buffer.from(token).toString("base64")];
}

export interface Finding {
  where: string;
  form: string;
}

export async function findSecrets(
  root: string,
  needles: string[],
): Promise<{ findings: Finding[]; filesSearched: number; repositoriesSearched: number }> {
  const findings: Finding[] = [];
  let filesSearched = 0;
  const gitDirs: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (await isGitDir(full)) gitDirs.push(full);
        await walk(full);
      } else if (entry.isFile()) {
        filesSearched++;
        const bytes = await readFile(full);
        for (const needle of needles)
          if (bytes.includes(needle)) findings.push({ where: path.relative(root, full), form: needle });
      }
    }
  };
  await walk(root);
  for (const dir of gitDirs) {
    const objects = await git(["cat-file", "--batch-all-objects", "--batch"], { cwd: dir, allowFailure: true });
    for (const needle of needles)
      if (objects.stdout.includes(needle))
        findings.push({ where: `${path.relative(root, dir)} (git objects)`, form: needle });
  }
  return { findings, filesSearched, repositoriesSearched: gitDirs.length };
}

/** A `.git` directory or a bare repository: it has `HEAD` and `objects/`. */
async function isGitDir(dir: string): Promise<boolean> {
  const present = async (name: string) => (await lstat(path.join(dir, name)).catch(() => null)) !== null;
  return (await present("HEAD")) && (await present("objects")) && (await present("refs"));
}
