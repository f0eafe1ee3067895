#!/usr/bin/env node
// A `proc-receive` hook (githooks(5)) that answers as GitHub does when an App
// without the `workflows` permission pushes a change under .github/workflows:
// `ng <ref> refusing to allow a GitHub App to create or update workflow … without `workflows` permission`.
// Other pushes are accepted. It speaks git's pkt-line protocol on stdin/stdout.
import { execFileSync } from "node:child_process";

let buffer = Buffer.alloc(0);
let stage = "version";
const commands = [];

function writePacket(text) {
  process.stdout.write((text.length + 4).toString(16).padStart(4, "0") + text);
}

function changedWorkflow(oldOid, newOid) {
  const zero = /^0+$/.test(oldOid);
  const range = zero ? [newOid, "--not", "--all"] : [`${oldOid}..${newOid}`];
  const files = execFileSync("git", ["log", "--format=", "--name-only", ...range], { encoding: "utf8" }).split("\n");
  return files.find((f) => f.startsWith(".github/workflows/"));
}

function onFlush() {
  if (stage === "version") {
    writePacket("version=1\n");
    process.stdout.write("0000");
    stage = "commands";
    return;
  }
  for (const [oldOid, newOid, ref] of commands) {
    const workflow = changedWorkflow(oldOid, newOid);
    if (workflow) writePacket(`ng ${ref} refusing to allow a GitHub App to create or update workflow \`${workflow}\` without \`workflows\` permission\n`);
    else {
      execFileSync("git", ["update-ref", ref, newOid, /^0+$/.test(oldOid) ? "" : oldOid]);
      writePacket(`ok ${ref}\n`);
    }
  }
  process.stdout.write("0000");
  stage = "done";
}

process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  while (buffer.length >= 4) {
    const length = parseInt(buffer.subarray(0, 4).toString(), 16);
    if (length === 0) {
      buffer = buffer.subarray(4);
      onFlush();
      continue;
    }
    if (buffer.length < length) break;
    const line = buffer.subarray(4, length).toString().replace(/\n$/, "");
    buffer = buffer.subarray(length);
    if (stage === "commands") commands.push(line.split(" "));
  }
});
