import { fullUsage } from "../../commands/usage.js";
import type { CommandContext } from "../context.js";

export async function helpCommand(context: CommandContext): Promise<void> {
  const { run, status } = context;
  run.body = [
    "okstra plans an issue as a DAG of small stages, implements them in batches, has other models try to refute each stage, and ships verified stages as pull requests.",
    "",
    fullUsage(),
    "",
    "The first line of the comment is the command; every line after it is guidance passed to the workers.",
  ].join("\n");
  run.outcome = "succeeded";
  run.finishedAt = context.services.now().toISOString();
  await status.finish(run);
}
