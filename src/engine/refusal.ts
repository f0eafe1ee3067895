/**
 * A refusal is a value, not a log line (STYLE §10): anything deep in the engine
 * may throw one, and the command pipeline renders it as a reply that says what
 * was wrong and what to type instead.
 */
export class CommandRefusal extends Error {
  constructor(
    /** What was wrong, one or two sentences of markdown. */
    readonly problem: string,
    /** What to type instead: a usage line, a list, or the next command. */
    readonly instead?: string,
  ) {
    super(problem);
    this.name = "CommandRefusal";
  }
}
