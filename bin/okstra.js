#!/usr/bin/env node
// The `okstra` command. The CLI is compiled to dist/ by `npm run build`.
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
