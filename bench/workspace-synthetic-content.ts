/**
 * The text of the synthetic repository's files: TypeScript-looking lines from
 * a small vocabulary, varied enough to compress like real source rather than
 * like a repeated pattern. Every file version comes from its own seeded
 * generator, so any version can be produced on its own, in any order.
 */

/** A small seeded PRNG (mulberry32). */
export function seededRandom(...seeds: number[]): () => number {
  let state = seeds.reduce((hash, seed) => Math.imul(hash ^ seed, 0x9e3779b1) >>> 0, 0x811c9dc5);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tree three levels deep: 20 packages × 10 modules, files spread over them. */
export function filePath(file: number): string {
  return `packages/pkg${file % 20}/src/mod${Math.floor(file / 20) % 10}/file${file}.ts`;
}

export function initialContent(file: number): string {
  const random = seededRandom(file, 0);
  const lines = [
    `// ${filePath(file)}`,
    `import { ${pick(WORDS, random)}, ${pick(WORDS, random)} } from "../shared/${pick(WORDS, random)}.js";`,
    "",
  ];
  const count = 40 + Math.floor(random() * 120);
  for (let l = 0; l < count; l++) lines.push(codeLine(random));
  return `${lines.join("\n")}\n`;
}

/** A typical commit's change to one file: a block of lines rewritten, some added. */
export function editedContent(content: string, file: number, commit: number): string {
  const random = seededRandom(file, commit);
  const lines = content.split("\n");
  const at = 3 + Math.floor(random() * Math.max(1, lines.length - 16));
  const rewritten = Math.floor(random() * 13);
  const added = Math.floor(random() * 13);
  const block = Array.from({ length: rewritten + added }, () => codeLine(random));
  lines.splice(at, rewritten, ...block);
  if (lines.length > 240) lines.splice(3, 60); // keep files a realistic size
  return lines.join("\n");
}

const WORDS = (
  "user account order item price total count index value result request response handler config option state cache queue " +
  "event message payload token session record entry buffer stream reader writer parser render format validate update remove " +
  "create fetch load store build apply merge resolve schedule retry timeout limit offset cursor page filter sort group map"
).split(" ");
const TYPES = ["string", "number", "boolean", "Date", "Buffer", "unknown", "Record<string, number>", "string[]"];

function codeLine(random: () => number): string {
  const a = pick(WORDS, random);
  const b = pick(WORDS, random);
  const c = pick(WORDS, random);
  const indent = "  ".repeat(Math.floor(random() * 4));
  const n = Math.floor(random() * 10_000);
  switch (Math.floor(random() * 8)) {
    case 0:
      return `${indent}const ${a}${cap(b)} = await ${c}.${b}(${a}, ${n});`;
    case 1:
      return `${indent}if (${a}.${b} > ${n} && !${c}) return ${a};`;
    case 2:
      return `${indent}export function ${b}${cap(c)}(${a}: ${pick(TYPES, random)}): ${pick(TYPES, random)} {`;
    case 3:
      return `${indent}}`;
    case 4:
      return `${indent}// ${cap(a)} the ${b} before the ${c} is ${pick(WORDS, random)}d (see #${n}).`;
    case 5:
      return `${indent}${a}.${b} = ${c}.${pick(WORDS, random)} ?? ${n};`;
    case 6:
      return `${indent}for (const ${a} of ${b}.${c}s) ${pick(WORDS, random)}(${a}, "${pick(WORDS, random)}-${n}");`;
    default:
      return `${indent}throw new Error(\`${a} ${b}: \${${c}}\`);`;
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
