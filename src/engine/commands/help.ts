import { fullUsage } from "../../commands/usage.js";
import type { CommandContext } from "../context.js";
import { IMPLEMENTED_VERBS } from "./not-built.js";

export async function helpCommand(context: CommandContext): Promise<void> {
  const { run, status } = context;
  const available = IMPLEMENTED_VERBS.map((verb) => `\`/okstra ${verb}\``).join(", ");
  run.body = [
    "okstra plans an issue as a DAG of small stages, implements them in batches, has other models try to refute each stage, and ships verified stages as pull requests.",
    "",
    fullUsage(),
    "",
    "The first line of the comment is the command; every line after it is guidance passed to the workers.",
    "",
    `Available in this version: ${available}. The other commands answer that their phase is not built yet.`,
  ].join("\n");
  run.outcome = "succeeded";
  run.finishedAt = (context.services.now ?? (() => new Date()))().toISOString();
  await status.finish(run);
}
