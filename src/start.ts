// `npm start`: the Probot server with okstra's Octokit. No logic here (STYLE §1).
import { run } from "probot";
import { okstraApp } from "./app.js";
import { OkstraOctokit } from "./octokit.js";

await run(okstraApp({ recoverOnStart: true }), { Octokit: OkstraOctokit });
