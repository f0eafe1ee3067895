/**
 * Splits a `command:` string from okstra.yml into argv the way a POSIX shell
 * would quote it — single quotes literal, double quotes with `\` escapes,
 * backslash escapes outside quotes — without ever running a shell, so no
 * `$(…)`, globbing, pipes or redirections can happen.
 */

export class CommandSyntaxError extends Error {
  constructor(command: string, problem: string) {
    super(`cannot split command ${JSON.stringify(command)}: ${problem}`);
    this.name = "CommandSyntaxError";
  }
}

export function splitCommand(command: string): string[] {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < command.length && '"\\$`'.includes(command[i + 1])) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= command.length) throw new CommandSyntaxError(command, "ends with a lone backslash");
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new CommandSyntaxError(command, `unterminated ${quote} quote`);
  if (inWord) argv.push(word);
  if (argv.length === 0) throw new CommandSyntaxError(command, "it is empty");
  return argv;
}
