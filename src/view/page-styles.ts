/**
 * The page's whole stylesheet, inlined: system fonts and no `url()`, so
 * opening the page makes no request. Stage colours are shared by the
 * diagram's boxes, the legend swatches and the state badges.
 */
export const PAGE_STYLES = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg-soft: #f6f8fa; --link: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
a { color: var(--link); }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 600; }
h1 .number { color: var(--muted); font-weight: 400; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
.meta { color: var(--muted); margin: 0 0 8px; }
.muted { color: var(--muted); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft); border-radius: 4px; padding: 1px 4px; }
pre { background: var(--bg-soft); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
pre code { background: none; padding: 0; }
.table { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--border); padding: 5px 9px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.align-center, th.align-center { text-align: center; }
td.align-right, th.align-right { text-align: right; }
.comment { border: 1px solid var(--border); border-radius: 6px; margin: 0 0 16px; }
.comment > header { background: var(--bg-soft); border-bottom: 1px solid var(--border); padding: 8px 14px; color: var(--muted); border-radius: 6px 6px 0 0; }
.comment > header strong { color: var(--fg); }
.comment.bot > header { background: #ddf4ff; }
.comment .md { padding: 4px 14px; overflow-wrap: anywhere; }
.md h1, .md h2, .md h3, .md h4 { font-size: 16px; margin: 14px 0 8px; border: 0; padding: 0; }
.md h2 { font-size: 17px; }
.md details { border: 1px solid var(--border); border-radius: 6px; padding: 4px 10px; margin: 6px 0; }
.md summary { cursor: pointer; }
.md blockquote { margin: 8px 0; padding: 0 12px; color: var(--muted); border-left: 3px solid var(--border); }
.md .url { color: var(--muted); }
.reactions { padding: 0 14px 10px; }
.reaction { display: inline-block; border: 1px solid var(--border); border-radius: 12px; padding: 0 8px; background: var(--bg-soft); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 500; border: 1px solid transparent; white-space: nowrap; }
.badge-bot, .badge-muted { border-color: var(--border); color: var(--muted); }
.badge-draft { background: #eaeef2; color: #59636e; }
.badge-open { background: #dafbe1; color: #1a7f37; }
.badge-merged { background: #fbefff; color: #8250df; }
.badge-closed { background: #ffebe9; color: #cf222e; }
.badge-check-success { background: #dafbe1; color: #1a7f37; }
.badge-check-neutral, .badge-check-skipped { background: #eaeef2; color: #59636e; }
.badge-check-failure, .badge-check-timed_out, .badge-check-cancelled, .badge-check-action_required { background: #ffebe9; color: #cf222e; }
.badge-check-in-progress, .badge-check-queued { background: #fff8c5; color: #9a6700; }
.check { white-space: nowrap; }
table.rows td:nth-child(-n+4) { white-space: nowrap; }
.pr-body { margin: 6px 0; border: 1px solid var(--border); border-radius: 6px; padding: 4px 10px; }
.pr-body summary { cursor: pointer; font-weight: 500; }
.field { display: inline-block; margin-right: 10px; }
.field .key { color: var(--muted); }
.note { color: var(--muted); font-size: 12px; }
.dag-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 6px; padding: 8px; background: #fcfcfd; }
svg.dag { display: block; margin: 0 auto; max-width: 100%; height: auto; }
.dag-edge { fill: none; stroke: #8c959f; stroke-width: 1.6; }
.dag-arrowhead { fill: #8c959f; }
.dag-node rect { stroke-width: 1.5; }
.dag-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
.dag-number { font-weight: 700; }
.dag-meta { font-size: 12px; fill: var(--muted); }
.legend-item { display: inline-flex; align-items: center; margin-right: 16px; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 6px; border: 1.5px solid; }
.status-not-started rect, .swatch.status-not-started, .badge-status-not-started { fill: #f6f8fa; background: #f6f8fa; stroke: #afb8c1; border-color: #afb8c1; color: #59636e; }
.status-running rect, .swatch.status-running, .badge-status-running { fill: #fff8c5; background: #fff8c5; stroke: #d4a72c; border-color: #d4a72c; color: #7d4e00; }
.status-done rect, .swatch.status-done, .badge-status-done { fill: #ddf4ff; background: #ddf4ff; stroke: #54aeff; border-color: #54aeff; color: #0550ae; }
.status-verified rect, .swatch.status-verified, .badge-status-verified { fill: #dafbe1; background: #dafbe1; stroke: #4ac26b; border-color: #4ac26b; color: #116329; }
.status-conditional rect, .swatch.status-conditional, .badge-status-conditional { fill: #fff1e5; background: #fff1e5; stroke: #fb8f44; border-color: #fb8f44; color: #953800; }
.status-blocked rect, .swatch.status-blocked, .badge-status-blocked, .status-failed rect, .swatch.status-failed, .badge-status-failed { fill: #ffebe9; background: #ffebe9; stroke: #ff8182; border-color: #ff8182; color: #a40e26; }
nav.toc { margin: 12px 0 0; color: var(--muted); }
nav.toc a { margin-right: 14px; }
`;
