/**
 * Run as a separate process by concurrency.test.ts (through tsx): posts N
 * comments to one issue of a local repository and prints their ids as JSON,
 * so the test can check ids stay unique across processes.
 *   tsx concurrent-writer.ts <repoDir> <issue> <count> <author>
 */
import { addLocalComment } from "../../../src/platform/local/index.js";

const [repoDir, issue, count, author] = process.argv.slice(2);
const comments = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    addLocalComment(repoDir, Number(issue), { author, body: `${author} comment ${i}` }),
  ),
);
process.stdout.write(JSON.stringify(comments.map((c) => c.id)));
