/** The inspector page's style sheet. */
export const inspectorStyles = String.raw`
:root {
  --ink: #1f2430;
  --muted: #667085;
  --line: #e4e7ec;
  --card: #ffffff;
  --page: #f4f5f7;
  --accent: #3559e0;
  --pending: #b54708;
  --answered: #067647;
  --rejected: #6941c6;
  --expired: #b42318;
  --refused: #fef3f2;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px;
  color: var(--ink);
  background: var(--page);
}
body { margin: 0; }
header {
  display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap;
  padding: 12px 16px; background: var(--card); border-bottom: 1px solid var(--line);
}
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 10px; display: flex; align-items: baseline; gap: 8px; }
h2 button { margin-left: auto; }
h3 { font-size: 14px; margin: 14px 0 6px; word-break: break-all; }
.muted { color: var(--muted); font-weight: normal; font-size: 13px; }
.hidden { display: none; }
main {
  display: grid; gap: 16px; padding: 16px;
  grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr);
  align-items: start;
}
#chart-card { grid-column: 1 / span 2; }
#search-card { grid-column: 1; }
#refusals-card { grid-column: 2; }
#timeline-card { grid-column: 1 / span 2; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.chart { min-height: 220px; overflow-x: auto; text-align: center; }
.chart svg { max-width: 100%; height: auto; }
.chart .error { color: var(--expired); }
.state-counts { display: flex; gap: 10px; flex-wrap: wrap; list-style: none; padding: 0; margin: 8px 0 0; }
.state-counts li { border: 1px solid var(--line); border-radius: 999px; padding: 3px 12px; }
.state-counts strong { font-variant-numeric: tabular-nums; margin-left: 4px; }
.state { font-weight: 600; }
.state-pending { color: var(--pending); }
.state-answered { color: var(--answered); }
.state-rejected { color: var(--rejected); }
.state-expired { color: var(--expired); }
.connection::before { content: "●"; margin-right: 4px; }
.connection[data-status="live"] { color: var(--answered); }
.connection[data-status="paused"] { color: var(--pending); }
.connection[data-status="connecting"], .connection[data-status="reconnecting"] { color: var(--expired); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td.mono { white-space: nowrap; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
tbody tr.link { cursor: pointer; }
tbody tr.link:hover { background: #f0f4ff; }
tr.refused td { background: var(--refused); }
#timeline tbody { display: block; max-height: 320px; overflow-y: auto; }
#timeline thead, #timeline tbody tr { display: table; width: 100%; table-layout: fixed; }
#timeline th:nth-child(1), #timeline td:nth-child(1) { width: 70px; }
#timeline th:nth-child(2), #timeline td:nth-child(2) { width: 180px; }
#timeline th:nth-child(3), #timeline td:nth-child(3) { width: 170px; }
#timeline th:nth-child(4), #timeline td:nth-child(4) { width: 160px; }
.refusal-tables { display: grid; gap: 14px; }
form { display: flex; gap: 8px; }
input[type="search"] { flex: 1; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button[aria-pressed="true"] { background: #fff; color: var(--accent); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-word; }
pre.content { margin: 2px 0 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; }
`;
