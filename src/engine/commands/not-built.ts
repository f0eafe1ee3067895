import type { Verb } from "../../commands/types.js";
import { CommandRefusal } from "../refusal.js";

/** The verbs this build carries out. Every other verb is refused honestly, never pretended. */
export const IMPLEMENTED_VERBS: Verb[] = ["help", "status", "plan", "replan", "approve", "implement", "verify", "ship"];

export async function notBuiltCommand(verb: Verb): Promise<never> {
  throw new CommandRefusal(
    `\`/okstra ${verb}\` is not available yet: its phase is not built in this version of okstra, so nothing was started.`,
    `What works today: ${IMPLEMENTED_VERBS.map((v) => `\`/okstra ${v}\``).join(", ")}.`,
  );
}
