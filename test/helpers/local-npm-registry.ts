import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/**
 * A tiny npm registry on loopback, for tests that install dependencies
 * offline: it serves the packuments and tarballs of packages the test
 * defines, in the shape npm and pnpm read (`GET /<name>` → packument,
 * `GET /<name>/-/<name>-<version>.tgz` → tarball). Tarballs are real
 * `.tgz` files with a `package/` prefix, made with the system `tar`, and
 * carry `shasum`/`integrity` so clients verify them. It counts tarball
 * downloads, so a test can tell an install from the cache from one from
 * the network.
 */

export interface RegistryPackage {
  name: string;
  version: string;
  /** Files of the package, `package.json` added from name/version/dependencies. */
  files: Record<string, string>;
  dependencies?: Record<string, string>;
}

export interface LocalNpmRegistry {
  url: string;
  /** Tarball requests served so far, by `name@version`. */
  tarballRequests: string[];
  close(): Promise<void>;
}

const exec = promisify(execFile);

export async function startLocalNpmRegistry(packages: RegistryPackage[]): Promise<LocalNpmRegistry> {
  const work = await mkdtemp(path.join(tmpdir(), "okstra-registry-"));
  const tarballs = new Map<string, Buffer>();
  const packuments = new Map<string, { versions: Record<string, unknown>; latest: string }>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const pkg of packages) {
    const dir = path.join(work, `${pkg.name}-${pkg.version}`, "package");
    await mkdir(dir, { recursive: true });
    const manifest = { name: pkg.name, version: pkg.version, main: "index.js", dependencies: pkg.dependencies ?? {} };
    for (const [file, text] of Object.entries({ ...pkg.files, "package.json": JSON.stringify(manifest, null, 2) })) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const tgz = path.join(work, `${pkg.name}-${pkg.version}.tgz`);
    await exec("tar", [
      "-czf",
      tgz,
      "-C",
      path.dirname(dir),
      "--mtime=2020-01-01",
      "--owner=0",
      "--group=0",
      "package",
    ]);
    const bytes = await readFile(tgz);
    const file = `${pkg.name}-${pkg.version}.tgz`;
    tarballs.set(`/${pkg.name}/-/${file}`, bytes);
    const entry = packuments.get(pkg.name) ?? { versions: {}, latest: pkg.version };
    entry.versions[pkg.version] = {
      ...manifest,
      dist: {
        tarball: `${url}/${pkg.name}/-/${file}`,
        shasum: createHash("sha1").update(bytes).digest("hex"),
        integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      },
    };
    entry.latest = pkg.version;
    packuments.set(pkg.name, entry);
  }

  const tarballRequests: string[] = [];
  server.on("request", (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", url).pathname);
    const tarball = tarballs.get(pathname);
    if (tarball) {
      tarballRequests.push(pathname.split("/-/")[1]!.replace(/\.tgz$/, ""));
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": tarball.length });
      return response.end(tarball);
    }
    const packument = packuments.get(pathname.slice(1));
    if (packument) {
      const body = JSON.stringify({
        name: pathname.slice(1),
        "dist-tags": { latest: packument.latest },
        versions: packument.versions,
      });
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(body);
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "not found" }));
  });

  return {
    url,
    tarballRequests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(work, { recursive: true, force: true });
    },
  };
}
