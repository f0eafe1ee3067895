export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** SPEC §11: 0 carried out, 1 refused or failed, 2 usage error. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}
