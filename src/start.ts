// `npm start`: the Probot server with okstra's Octokit. No logic here (STYLE §1).
import { run } from "probot";
import { okstraApp } from "./app.js";
import { OkstraOctokit } from "./octokit.js";
import { createLogger } from "./util/log.js";

// okstra's logger, so the App's log lines pass the one redaction point too (SPEC §14.3).
await run(okstraApp({ recoverOnStart: true }), { Octokit: OkstraOctokit, log: createLogger() });
