/** The parsed form of every `/okstra` command (SPEC §2). */

export type StageSelection = { kind: "all" } | { kind: "list"; stages: number[] };

export type Command =
  | { verb: "plan"; base?: string; workers?: string[] }
  | { verb: "replan" }
  | { verb: "approve" }
  | { verb: "implement"; stage: "auto" | number }
  | { verb: "verify"; stage?: number }
  | { verb: "ship"; stages: StageSelection; base?: string }
  | { verb: "status" }
  | { verb: "retry"; stage?: number }
  | { verb: "cancel" }
  | { verb: "revise"; stage?: number }
  | { verb: "restack"; stage?: number }
  | { verb: "adopt"; at?: string }
  | { verb: "help" };

export type Verb = Command["verb"];

export type ParsedComment =
  /** The comment does not start with `/okstra`: okstra stays silent. */
  | { kind: "not-a-command" }
  /** A well-formed command; `guidance` is every line after the first. */
  | { kind: "command"; command: Command; line: string; guidance: string }
  /** Starts with `/okstra` but is malformed: the reply names the problem and shows the usage. */
  | { kind: "invalid"; line: string; problem: string; usage: string };
