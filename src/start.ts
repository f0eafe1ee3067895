// `npm start`: the Probot server with okstra's Octokit. No logic here (STYLE §1).
import { run } from "probot";
import { okstraApp } from "./app.js";
import { OkstraOctokit } from "./octokit.js";
import { createLogger } from "./util/log.js";
import { sandboxOffNotice } from "./sandbox/index.js";

// okstra's logger, so the App's log lines pass the one redaction point too (SPEC §14.3).
const log = createLogger();
const unconfined = sandboxOffNotice();
if (unconfined) log.warn(unconfined);
await run(okstraApp({ recoverOnStart: true }), { Octokit: OkstraOctokit, log });
