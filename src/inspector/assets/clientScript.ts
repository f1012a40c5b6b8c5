/**
 * The inspector page's script, served unchanged. It draws the statechart with Mermaid,
 * keeps each state's count, the refusal tables and the timeline up to date from the live
 * feed, and opens an elicitation's history from a search or a timeline row. It renders
 * only what the server aggregated, never one row per elicitation, and it writes every
 * value from the log as text, never as HTML.
 */
export const clientScript = String.raw`
(function () {
  'use strict';

  var maxTimelineRows = 200;
  var maxPausedEvents = 1000;
  var svgNamespace = 'http://www.w3.org/2000/svg';
  var stateOrder = ['pending', 'answered', 'rejected', 'expired'];

  var view = {
    paused: false,
    pausedEvents: [],
    pausedDropped: 0,
    badges: {},
    summary: null,
    openId: null
  };

  function byId(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function cell(text, className) { return element('td', className, text); }

  function formatTime(epochMs) {
    if (epochMs === null || epochMs === undefined) return '';
    return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
  }

  function shortId(id) { return id ? id.slice(0, 8) : ''; }

  function fetchJson(url) {
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.error ? body.error : 'the inspector responded with HTTP ' + response.status);
        return body;
      });
    });
  }

  function setConnection(status) {
    var connection = byId('connection');
    connection.dataset.status = status;
    connection.textContent = status;
  }

  // The statechart: drawn once, then only the count badges change.
  function drawChart() {
    var chart = byId('chart');
    if (typeof window.mermaid === 'undefined') {
      chart.appendChild(element('p', 'error', 'Mermaid did not load, so the chart is not drawn; the counts below stay live.'));
      return Promise.resolve();
    }
    return fetchJson('/api/diagram').then(function (diagram) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', state: { nodeSpacing: 60, rankSpacing: 90 } });
      return window.mermaid.render('statechart-svg', diagram.mermaid).then(function (rendered) {
        // Mermaid's own SVG of the generated diagram text; no value from the log is in it.
        chart.innerHTML = rendered.svg;
        diagram.states.forEach(addBadge);
        renderCounts();
      });
    }).catch(function (error) {
      chart.appendChild(element('p', 'error', 'The chart could not be drawn: ' + error.message));
    });
  }

  function addBadge(state) {
    var pattern = new RegExp('-state-' + state.mermaidId + '-\\d+$');
    var nodes = document.querySelectorAll('#chart g.node');
    var node = null;
    for (var i = 0; i < nodes.length; i++) if (pattern.test(nodes[i].id)) node = nodes[i];
    if (node === null) return;

    var box = node.getBBox();
    var badge = document.createElementNS(svgNamespace, 'g');
    badge.setAttribute('class', 'state-count-badge');
    badge.setAttribute('data-state-badge', state.id);
    var rect = document.createElementNS(svgNamespace, 'rect');
    // Inline styles, because Mermaid's own style sheet for the chart's nodes would win over ours.
    rect.setAttribute('rx', '9');
    rect.setAttribute('height', '18');
    rect.setAttribute('style', 'fill: #1f2430; stroke: none;');
    var text = document.createElementNS(svgNamespace, 'text');
    text.setAttribute('dominant-baseline', 'central');
    text.setAttribute('text-anchor', 'middle');
    text.setAttribute('style', 'fill: #ffffff; font-size: 12px; font-weight: 600;');
    badge.appendChild(rect);
    badge.appendChild(text);
    node.appendChild(badge);
    view.badges[state.id] = { badge: badge, rect: rect, text: text, right: box.x + box.width, top: box.y };
  }

  function renderCounts() {
    var summary = view.summary;
    if (summary === null) return;
    var counts = summary.counts;

    Object.keys(view.badges).forEach(function (stateId) {
      var parts = view.badges[stateId];
      var count = counts[stateId];
      parts.badge.style.display = count === undefined ? 'none' : '';
      parts.text.textContent = String(count);
      var width = Math.max(22, 9 * String(count).length + 12);
      parts.rect.setAttribute('width', String(width));
      parts.rect.setAttribute('x', String(parts.right - width + 6));
      parts.rect.setAttribute('y', String(parts.top - 12));
      parts.text.setAttribute('x', String(parts.right - width / 2 + 6));
      parts.text.setAttribute('y', String(parts.top - 3));
    });

    var list = byId('state-counts');
    list.replaceChildren();
    stateOrder.forEach(function (stateId) {
      var item = element('li');
      item.appendChild(element('span', 'state state-' + stateId, stateId));
      var value = element('strong', null, counts[stateId]);
      value.dataset.stateCount = stateId;
      item.appendChild(value);
      if (stateId === 'rejected') {
        var reasons = summary.rejectedByReason;
        item.appendChild(element('span', 'muted', ' (' + reasons.declined + ' declined, ' + reasons.cancelled + ' cancelled, ' + reasons.withdrawn + ' withdrawn)'));
      }
      list.appendChild(item);
    });
  }

  function renderTotals() {
    var summary = view.summary;
    byId('totals').textContent = summary.elicitations + ' elicitations · ' + summary.events + ' events read · last position ' + summary.lastPosition;
  }

  function renderRefusals() {
    var refusals = view.summary.refusals;
    var byCode = byId('refusals-by-code').tBodies[0];
    byCode.replaceChildren();
    Object.keys(refusals.byCode).sort().forEach(function (code) {
      var row = element('tr');
      row.appendChild(cell(code));
      row.appendChild(cell(refusals.byCode[code], 'number'));
      row.dataset.refusalCode = code;
      byCode.appendChild(row);
    });
    if (byCode.rows.length === 0) byCode.appendChild(emptyRow(2, 'none'));

    var byAgent = byId('refusals-by-agent').tBodies[0];
    byAgent.replaceChildren();
    refusals.topAgents.forEach(function (agent) {
      var row = element('tr', 'link');
      row.appendChild(cell(agent.agent));
      row.appendChild(cell(agent.total, 'number'));
      row.appendChild(cell(Object.keys(agent.byCode).sort().map(function (code) { return code + ' ' + agent.byCode[code]; }).join(', ')));
      row.dataset.refusalAgent = agent.agent;
      row.addEventListener('click', function () { search(agent.agent); });
      byAgent.appendChild(row);
    });
    if (byAgent.rows.length === 0) byAgent.appendChild(emptyRow(3, 'none'));

    var shown = refusals.topAgents.length;
    byId('refusals-note').textContent = refusals.total + ' refused commands by ' + refusals.agents + ' agents' +
      (refusals.agents > shown ? ', the ' + shown + ' with the most shown' : '') +
      '. The log records UNAUTHORIZED and RATE_LIMITED refusals at security standard and strict; other refusals only reach the caller.';
  }

  function emptyRow(columns, text) {
    var row = element('tr');
    var only = cell(text, 'muted');
    only.colSpan = columns;
    row.appendChild(only);
    return row;
  }

  function applySummary(summary) {
    view.summary = summary;
    renderCounts();
    renderTotals();
    renderRefusals();
  }

  // The timeline: newest first, at most maxTimelineRows rows.
  function timelineRow(entry) {
    var row = element('tr', entry.elicitationId ? 'link' : null);
    if (entry.type === 'security.refused') row.classList.add('refused');
    row.appendChild(cell(entry.position === null ? '' : entry.position, 'number'));
    row.appendChild(cell(formatTime(entry.time)));
    row.appendChild(cell(entry.type));
    row.appendChild(cell(entry.ref !== null ? entry.ref : shortId(entry.elicitationId), 'mono'));
    row.appendChild(cell(entry.summary));
    if (entry.elicitationId) row.addEventListener('click', function () { openHistory(entry.elicitationId); });
    return row;
  }

  function addTimelineEntries(entries) {
    var body = byId('timeline').tBodies[0];
    var fragment = document.createDocumentFragment();
    for (var i = entries.length - 1; i >= 0; i--) fragment.appendChild(timelineRow(entries[i]));
    body.insertBefore(fragment, body.firstChild);
    while (body.rows.length > maxTimelineRows) body.deleteRow(body.rows.length - 1);
  }

  function renderTimelineStatus(dropped) {
    var status = byId('timeline-status');
    if (view.paused) {
      status.textContent = 'Paused: ' + (view.pausedEvents.length + view.pausedDropped) + ' new events wait; the counts stay live.';
    } else if (dropped > 0) {
      status.textContent = 'Events arrive faster than a page can list them: ' + dropped + ' were left out of the latest update, and the counts include them.';
    } else {
      status.textContent = '';
    }
  }

  function receiveEvents(events, dropped) {
    if (view.paused) {
      view.pausedDropped += dropped;
      Array.prototype.push.apply(view.pausedEvents, events);
      var excess = view.pausedEvents.length - maxPausedEvents;
      if (excess > 0) {
        view.pausedEvents.splice(0, excess);
        view.pausedDropped += excess;
      }
      renderTimelineStatus(0);
      return;
    }
    addTimelineEntries(events);
    renderTimelineStatus(dropped);
    if (view.openId !== null && events.some(function (entry) { return entry.elicitationId === view.openId; })) openHistory(view.openId);
  }

  function togglePause() {
    view.paused = !view.paused;
    var button = byId('pause');
    button.setAttribute('aria-pressed', String(view.paused));
    button.textContent = view.paused ? 'Resume' : 'Pause';
    setConnection(view.paused ? 'paused' : 'live');
    if (!view.paused) {
      var waiting = view.pausedEvents;
      var dropped = view.pausedDropped;
      view.pausedEvents = [];
      view.pausedDropped = 0;
      addTimelineEntries(waiting);
      renderTimelineStatus(dropped);
    } else {
      renderTimelineStatus(0);
    }
  }

  // Search and one elicitation's history.
  function search(query) {
    byId('search-input').value = query;
    var status = byId('search-status');
    status.textContent = 'Searching…';
    return fetchJson('/api/search?q=' + encodeURIComponent(query)).then(function (result) {
      renderSearch(result);
      if (result.total === 1) openHistory(result.matches[0].id);
    }).catch(function (error) {
      status.textContent = 'The search failed: ' + error.message;
    });
  }

  function renderSearch(result) {
    var status = byId('search-status');
    var table = byId('search-results');
    var body = table.tBodies[0];
    body.replaceChildren();

    var refusals = result.agentRefusals;
    var refusalText = refusals === null ? '' : ' Agent ' + refusals.agent + ' has ' + refusals.total + ' refused commands (' +
      Object.keys(refusals.byCode).sort().map(function (code) { return code + ' ' + refusals.byCode[code]; }).join(', ') + ').';
    if (result.total === 0) {
      status.textContent = 'No elicitation has this id, ref or agent.' + refusalText;
      table.classList.add('hidden');
      return;
    }
    var shown = result.matches.length;
    status.textContent = result.total + ' found by ' + result.matchedBy.join(' and ') + (result.total > shown ? ', the newest ' + shown + ' listed' : '') + '.' + refusalText;
    result.matches.forEach(function (match) {
      var row = element('tr', 'link');
      row.dataset.elicitationId = match.id;
      row.appendChild(cell(match.ref === null ? '' : match.ref, 'mono'));
      row.appendChild(cell(shortId(match.id), 'mono'));
      row.appendChild(cell(match.from + ' → ' + match.to));
      row.appendChild(cell(match.state, 'state state-' + match.state));
      row.appendChild(cell(formatTime(match.requestedAt)));
      row.addEventListener('click', function () { openHistory(match.id); });
      body.appendChild(row);
    });
    table.classList.remove('hidden');
  }

  function openHistory(id) {
    view.openId = id;
    return fetchJson('/api/elicitations/' + encodeURIComponent(id)).then(renderHistory).catch(function (error) {
      byId('search-status').textContent = error.message;
    });
  }

  function renderHistory(history) {
    var elicitation = history.elicitation;
    byId('history-title').textContent = (elicitation.ref === null ? '' : elicitation.ref + ' · ') + elicitation.id;

    var facts = byId('history-facts');
    facts.replaceChildren();
    var stateText = elicitation.state + (elicitation.reason === null ? '' : ' (' + elicitation.reason + ')');
    [
      ['state', stateText, 'state state-' + elicitation.state],
      ['requester', elicitation.from],
      ['responder', elicitation.to],
      ['message', elicitation.message],
      ['schema', JSON.stringify(history.events[0].data.schema)],
      ['requested', formatTime(elicitation.requestedAt)],
      ['deadline', formatTime(elicitation.deadline)],
      ['settled', elicitation.settledAt === null ? 'not yet' : formatTime(elicitation.settledAt)]
    ].forEach(function (fact) {
      facts.appendChild(element('dt', null, fact[0]));
      var value = element('dd', fact[2] || null, fact[1]);
      if (fact[0] === 'state') value.dataset.historyState = elicitation.state;
      facts.appendChild(value);
    });

    var body = byId('history-events').tBodies[0];
    body.replaceChildren();
    history.events.forEach(function (entry) {
      var row = element('tr', entry.type === 'security.refused' ? 'refused' : null);
      row.dataset.eventType = entry.type;
      row.appendChild(cell(entry.position === null ? 'snapshot' : entry.position, 'number'));
      row.appendChild(cell(formatTime(entry.time)));
      row.appendChild(cell(entry.type));
      row.appendChild(cell(entry.agent === null ? 'the clock' : entry.agent));
      var what = cell(entry.summary);
      var detail = detailOf(entry);
      if (detail !== null) what.appendChild(element('pre', 'content', detail));
      row.appendChild(what);
      body.appendChild(row);
    });
    byId('history').classList.remove('hidden');
  }

  function detailOf(entry) {
    var data = entry.data || {};
    if (entry.type === 'elicitation.answered') return JSON.stringify(data.content, null, 1);
    return null;
  }

  // The live feed.
  function connect() {
    var source = new EventSource('/api/stream');
    source.addEventListener('summary', function (event) {
      var message = JSON.parse(event.data);
      applySummary(message.summary);
      // A reconnection starts the list again from the latest events, unless it is paused.
      if (!view.paused) {
        byId('timeline').tBodies[0].replaceChildren();
        addTimelineEntries(message.recent);
      }
      setConnection(view.paused ? 'paused' : 'live');
    });
    source.addEventListener('update', function (event) {
      var message = JSON.parse(event.data);
      applySummary(message.summary);
      receiveEvents(message.events, message.dropped);
    });
    source.addEventListener('error', function () { setConnection('reconnecting'); });
  }

  function start() {
    byId('pause').addEventListener('click', togglePause);
    byId('search-form').addEventListener('submit', function (event) {
      event.preventDefault();
      search(byId('search-input').value.trim());
    });
    fetchJson('/api/summary').then(function (opening) {
      byId('source').textContent = opening.source;
      applySummary(opening.summary);
    }).catch(function (error) {
      byId('totals').textContent = 'The summary could not be read: ' + error.message;
    });
    drawChart().then(function () { document.body.dataset.chartReady = 'true'; });
    connect();
  }

  start();
})();
`;
