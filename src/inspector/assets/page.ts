/**
 * The inspector's HTML page. It contains no data: the script fills it from the JSON API and
 * the live feed. Every script and style comes from the inspector's own server.
 */
export const inspectorPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Elicitation inspector</title>
  <link rel="stylesheet" href="/assets/inspector.css">
  <script src="/assets/mermaid.min.js" defer></script>
  <script src="/assets/inspector.js" defer></script>
</head>
<body>
  <header>
    <h1>Elicitation inspector</h1>
    <span id="source" class="muted"></span>
    <span id="connection" class="connection" data-status="connecting">connecting</span>
    <span id="totals" class="muted"></span>
    <span class="muted">times in UTC</span>
  </header>
  <main>
    <section class="card" id="chart-card">
      <h2>Statechart <span class="muted">elicitations in each state now</span></h2>
      <div id="chart" class="chart" aria-live="polite"></div>
      <ul id="state-counts" class="state-counts"></ul>
    </section>
    <section class="card" id="search-card">
      <h2>Find an elicitation</h2>
      <form id="search-form" role="search">
        <input id="search-input" name="q" type="search" placeholder="elicitation id, ref or agent" autocomplete="off" required>
        <button type="submit">Search</button>
      </form>
      <p id="search-status" class="muted"></p>
      <table id="search-results" class="hidden">
        <thead><tr><th>ref</th><th>id</th><th>requester → responder</th><th>state</th><th>requested</th></tr></thead>
        <tbody></tbody>
      </table>
      <div id="history" class="hidden">
        <h3 id="history-title"></h3>
        <dl id="history-facts" class="facts"></dl>
        <table id="history-events">
          <thead><tr><th class="number">position</th><th>time</th><th>event</th><th>who</th><th>what</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </section>
    <section class="card" id="refusals-card">
      <h2>Refusals <span class="muted">recorded in the event log</span></h2>
      <div class="refusal-tables">
        <table id="refusals-by-code">
          <thead><tr><th>code</th><th class="number">refused commands</th></tr></thead>
          <tbody></tbody>
        </table>
        <table id="refusals-by-agent">
          <thead><tr><th>agent</th><th class="number">refused commands</th><th>by code</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <p id="refusals-note" class="muted"></p>
    </section>
    <section class="card" id="timeline-card">
      <h2>Timeline <span class="muted">events as they arrive, newest first</span>
        <button id="pause" type="button" aria-pressed="false">Pause</button>
      </h2>
      <p id="timeline-status" class="muted"></p>
      <table id="timeline">
        <thead><tr><th class="number">position</th><th>time</th><th>event</th><th>elicitation</th><th>what</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </main>
</body>
</html>
`;
