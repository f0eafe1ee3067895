#!/usr/bin/env node
// A `command` executor for the end-to-end tests:
//   snapshot-executor.mjs SNAPSHOTS_DIR NODE EXECUTOR [EXECUTOR ARGS...]
// runs the recorded executor (stdin, cwd and environment passed through),
// then copies the whole run directory into SNAPSHOTS_DIR. okstra removes run
// directories when a run ends, so this copy is what lets a test search a run
// directory — the clone, its .git — for a credential after the fact.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const [snapshots, node, executor, ...args] = process.argv.slice(2);
const result = spawnSync(node, [executor, ...args], { input: readFileSync(0), stdio: ["pipe", "inherit", "inherit"] });

// The workspace clone sits in `<run dir>/repo`; the run directory is marked by its owner file.
const runDir = existsSync(path.join(process.cwd(), "..", "okstra-owner.json")) ? path.dirname(process.cwd()) : process.cwd();
const name = `${process.env.OKSTRA_RUN ?? "run"}-stage-${process.env.OKSTRA_STAGE ?? "x"}`;
cpSync(runDir, path.join(snapshots, name), { recursive: true, verbatimSymlinks: true });
process.exit(result.status ?? 1);
