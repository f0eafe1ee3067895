import { fileURLToPath } from "node:url";

/**
 * The CLI's rendering of okstra's Markdown (status comments, replies, the
 * ledger table) for a person at a terminal: tables as aligned plain columns,
 * no HTML markers, and every link as something a terminal can use — a local
 * path for `file://`, a ledger path (read with `git show okstra/ledger:PATH`)
 * listed once at the end instead of `okstra/ledger:` pseudo-links. The
 * comment on the issue keeps the Markdown; `--markdown` prints it as is.
 */

const LINK = /\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)/g;
const LEDGER_PREFIX = "okstra/ledger:";

export function renderForTerminal(markdown: string): string {
  const ledgerFiles: string[] = [];
  const text = markdown
    .replace(/<!--[\s\S]*?-->\n?/g, "")
    .replace(/<details>\s*<summary>([\s\S]*?)<\/summary>/g, "$1:")
    .replace(/<\/details>\n?/g, "")
    .replace(/<\/?sub>/g, "")
    .replace(/<br\s*\/?>/g, "\n")
    .replace(LINK, (_whole, label: string, url: string) => {
      const plain = label.replace(/\\([[\]])/g, "$1");
      const target = decodeURIComponent(url);
      if (target.startsWith(LEDGER_PREFIX)) {
        const file = target.slice(LEDGER_PREFIX.length);
        if (!ledgerFiles.includes(file)) ledgerFiles.push(file);
        return plain;
      }
      if (target.startsWith("file://")) return `${plain} (${fileURLToPath(url)})`;
      return plain === target ? target : `${plain} <${target}>`;
    })
    .replace(/\*\*([^*\n]+)\*\*/g, "$1")
    .replace(/^#{1,6}\s+/gm, "");
  const lines = alignTables(text.split("\n"));
  if (ledgerFiles.length > 0) {
    lines.push("", `Ledger files (git show ${LEDGER_PREFIX}PATH):`, ...ledgerFiles.map((file) => `  ${file}`));
  }
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

/** Markdown table blocks become space-aligned columns; the `|---|` separator becomes a rule under the header. */
function alignTables(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!isTableRow(lines[i]!)) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    const block: string[][] = [];
    let separatorAt = -1;
    for (; i < lines.length && isTableRow(lines[i]!); i++) {
      const cells = splitRow(lines[i]!);
      if (cells.every((c) => /^:?-{3,}:?$/.test(c))) separatorAt = block.length;
      else block.push(cells);
    }
    const widths = block[0]!.map((_, col) => Math.max(...block.map((row) => width(row[col] ?? ""))));
    block.forEach((row, index) => {
      if (index === separatorAt) out.push(widths.map((w) => "─".repeat(w)).join("  "));
      out.push(
        row
          .map((cell, col) => (col === row.length - 1 ? cell : pad(cell, widths[col]!)))
          .join("  ")
          .trimEnd(),
      );
    });
  }
  return out;
}

function isTableRow(line: string): boolean {
  return /^\|.*\|\s*$/.test(line);
}

function splitRow(line: string): string[] {
  const inner = line.trim().slice(1, -1);
  const cells: string[] = [];
  let current = "";
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === "\\" && inner[i + 1] === "|") {
      current += "|";
      i++;
    } else if (inner[i] === "|") {
      cells.push(current.trim());
      current = "";
    } else current += inner[i];
  }
  cells.push(current.trim());
  return cells;
}

/** Display width: most emoji okstra uses take two columns. */
function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += /\p{Extended_Pictographic}/u.test(char) ? 2 : char === "\uFE0F" ? 0 : 1;
  return columns;
}

function pad(text: string, to: number): string {
  return text + " ".repeat(Math.max(0, to - width(text)));
}
