#!/usr/bin/env node
// A `command` worker wrapper for the request benches: appends what okstra sent
// (role, run, prompt, the prompt's shared-prefix length, the request's size)
// as one JSON line to LOG, then runs the real worker with the same stdin and
// environment and exits as it does.   usage: log-worker-request.mjs LOG CMD [ARG…]
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";

const [log, command, ...args] = process.argv.slice(2);
const stdin = readFileSync(0, "utf8");
const request = JSON.parse(stdin);
const { role, phase, run, stage, round, prompt, stablePrefixLength, resultSchema } = request;
appendFileSync(
  log,
  `${JSON.stringify({ role, phase, run, stage, round, prompt, stablePrefixLength: stablePrefixLength ?? 0, requestBytes: Buffer.byteLength(stdin), schemaChars: JSON.stringify(resultSchema).length })}\n`,
);
const child = spawnSync(command, args, { input: stdin, stdio: ["pipe", "inherit", "inherit"] });
process.exit(child.status ?? 1);
