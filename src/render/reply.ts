/** Replies to refused or malformed commands. The marker ties the reply to the comment it answers. */

export function replyMarker(triggerCommentId: number): string {
  return `<!-- okstra:reply ${JSON.stringify({ trigger: triggerCommentId })} -->`;
}

export function renderRefusal(
  triggerCommentId: number,
  commandLine: string,
  problem: string,
  instead?: string,
): string {
  const lines = [
    replyMarker(triggerCommentId),
    `🚫 **okstra did not run \`${truncate(commandLine, 120)}\`:** ${problem}`,
  ];
  if (instead) {
    lines.push("");
    if (instead.includes("\n")) lines.push("Usage:", "", instead);
    else if (instead.startsWith("/okstra")) lines.push(`Usage: \`${instead}\``);
    else lines.push(instead);
  }
  return lines.join("\n");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * On a stage PR opened ready for review because the repository has no draft
 * pull requests (`implementation.draftStagePRs` asked for a draft).
 */
export function renderDraftUnsupportedNote(): string {
  return [
    "ℹ️ **Not a draft:** this repository does not support draft pull requests, so okstra opened this one ready for review.",
    "It is **not verified yet** — wait for its `okstra / stage` check before reviewing or merging.",
    "To stop asking for drafts here, set `implementation.draftStagePRs: false` in `.github/okstra.yml`.",
  ].join("\n");
}
