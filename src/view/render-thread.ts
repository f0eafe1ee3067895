import type { LocalComment, LocalIssue, LocalReaction } from "../platform/local/index.js";
import { escapeHtml } from "./escape.js";
import { badge, section, time } from "./format.js";
import { renderMarkdown } from "./markdown.js";

/** The issue and its comments, oldest first, as GitHub's issue page lists them. */

const REACTION_EMOJI: Record<string, string> = {
  "+1": "👍",
  "-1": "👎",
  laugh: "😄",
  confused: "😕",
  heart: "❤️",
  hooray: "🎉",
  rocket: "🚀",
  eyes: "👀",
};

export function renderThread(issue: LocalIssue, comments: readonly LocalComment[]): string {
  const opening = `<article class="comment issue-body">
<header><strong>${escapeHtml(issue.author)}</strong> opened the issue</header>
<div class="md">${renderMarkdown(issue.body || "_No description._")}</div>
</article>`;
  const heading = `Issue thread · ${comments.length} comment${comments.length === 1 ? "" : "s"}`;
  return section("thread", heading, [opening, ...comments.map(renderComment)].join("\n"));
}

function renderComment(comment: LocalComment): string {
  // okstra's own comments are told apart the way GitHub does it: by a bot login.
  const bot = comment.author.endsWith("[bot]");
  const edited = comment.updatedAt !== comment.createdAt ? ` · edited ${time(comment.updatedAt)}` : "";
  return `<article class="comment${bot ? " bot" : ""}" id="comment-${comment.id}">
<header><strong>${escapeHtml(comment.author)}</strong>${bot ? ` ${badge("bot", "bot")}` : ""} · ${time(comment.createdAt)}${edited}</header>
<div class="md">${renderMarkdown(comment.body)}</div>
${reactions(comment.reactions)}
</article>`;
}

function reactions(list: readonly LocalReaction[]): string {
  if (list.length === 0) return "";
  const byContent = new Map<string, string[]>();
  for (const r of list) byContent.set(r.content, [...(byContent.get(r.content) ?? []), r.user]);
  const chips = [...byContent].map(([content, users]) => {
    const emoji = REACTION_EMOJI[content] ?? content;
    return `<span class="reaction" title="${escapeHtml(`${content} by ${users.join(", ")}`)}">${escapeHtml(emoji)} ${users.length}</span>`;
  });
  return `<footer class="reactions">${chips.join(" ")}</footer>`;
}
