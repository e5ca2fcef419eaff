// patchbay's web page: every server's timeline (GET /v1/timelines), arranged per user
// (/v1/arrangements), live (GET /v1/events), the change log (GET /v1/changes) and the
// account's settings (/v1/accounts/A/settings). Only the API: whatever the page can do,
// the CLI can too, with the same answers and errors.

const $ = (selector) => document.querySelector(selector);
const CURRENT = "@current";  // the arrangement in use, kept on every change

const page = {
  token: sessionStorage.getItem("patchbay-token") || "",
  who: null,
  timeline: null,          // the last GET /v1/timelines answer
  layout: { order: [], pinned: [] },
  facts: new Map(),        // "server/period/length" => the facts answer
  reload: null,            // the pending debounced reload
  refresh: null,           // the timer rolling the grid on
  stream: null,            // AbortController of the live stream
  view: "timelines",
};

// ---- the API ---------------------------------------------------------------------------

async function api(path, { method = "GET", body } = {}) {
  const headers = { Authorization: `Bearer ${page.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (res.status === 401 && path !== "/v1/whoami") signOut("The token was refused (revoked?). Sign in again.");
  return { status: res.status, ok: res.ok, data };
}
const errorOf = (r) => (r.data && r.data.error) || `HTTP ${r.status}`;

// ---- sign-in ---------------------------------------------------------------------------

async function signIn(token) {
  page.token = token;
  const r = await api("/v1/whoami");
  if (!r.ok) {
    page.token = "";
    sessionStorage.removeItem("patchbay-token");
    $("#signin-error").textContent = r.status === 401 ? "Unknown or revoked token." : errorOf(r);
    return;
  }
  sessionStorage.setItem("patchbay-token", token);
  page.who = r.data;
  $("#who").textContent = `${r.data.name} · ${r.data.role}${r.data.account ? " of " + r.data.account : ""}`;
  $("#signin").hidden = true;
  $("#tabs").hidden = false;
  $("#signout").hidden = false;
  $("#live").hidden = false;
  await loadLayout();
  await loadArrangementList();
  show("timelines");
  startLive();
}

function signOut(message = "") {
  page.token = "";
  sessionStorage.removeItem("patchbay-token");
  if (page.stream) page.stream.abort();
  clearTimeout(page.refresh);
  for (const id of ["#tabs", "#signout", "#live", "#view-timelines", "#view-changes", "#view-settings"]) $(id).hidden = true;
  $("#who").textContent = "";
  $("#signin").hidden = false;
  $("#signin-error").textContent = message;
}

function show(view) {
  page.view = view;
  for (const v of ["timelines", "changes", "settings"]) {
    $(`#view-${v}`).hidden = v !== view;
    $(`#tab-${v}`).setAttribute("aria-pressed", String(v === view));
  }
  if (view === "timelines") loadTimelines();
  if (view === "changes") loadChanges();
  if (view === "settings") loadSettingsAccounts();
}

// ---- time ------------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, "0");
function utc(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
function span(ms) {
  for (const [unit, len] of [["d", 86400000], ["h", 3600000], ["m", 60000]]) if (ms % len === 0) return `${ms / len}${unit}`;
  return `${ms / 1000}s`;
}

// ---- timelines -------------------------------------------------------------------------

async function loadTimelines() {
  const params = new URLSearchParams({ range: $("#range").value });
  if ($("#period").value) params.set("period", $("#period").value);
  const r = await api(`/v1/timelines?${params}`);
  if (!r.ok) {
    $("#timeline-error").textContent = errorOf(r);
    return;
  }
  $("#timeline-error").textContent = "";
  page.timeline = r.data;
  page.facts.clear();
  render();
  // The grid rolls on with the clock even when nothing is reported.
  clearTimeout(page.refresh);
  page.refresh = setTimeout(loadTimelines, Math.max(5000, r.data.to_ms - r.data.now_ms + 500));
}

// A reload soon, several events making one.
function reloadSoon() {
  clearTimeout(page.reload);
  page.reload = setTimeout(() => {
    if (page.view === "timelines") loadTimelines();
    if (page.view === "changes") loadChanges();
  }, 250);
}

function render() {
  const t = page.timeline;
  if (!t) return;
  $("#range-text").textContent = `${utc(t.from_ms)} – ${utc(t.to_ms)} UTC, ${span(t.period_ms)} blocks`;
  const networkPeriods = new Set(t.events.filter((e) => e.kind === "network").map((e) => e.period_ms));
  // The events row: one cell per period, aligned with the blocks.
  const events = $("#events");
  events.replaceChildren();
  const byPeriod = new Map(t.events.map((e) => [e.period_ms, e]));
  for (const [i, p] of t.periods.entries()) {
    const cell = document.createElement("span");
    const e = byPeriod.get(p);
    // Several servers' events in one period: the network mark wins, else the first.
    const network = t.events.find((x) => x.period_ms === p && x.kind === "network");
    const shown = network || e;
    if (shown) {
      cell.className = "event-mark";
      cell.dataset.kind = shown.kind;
      cell.dataset.period = p;
      cell.textContent = shown.kind === "network" ? "N" : "S";
      const servers = t.events.filter((x) => x.period_ms === p).flatMap((x) => x.servers);
      cell.title = `${shown.kind === "network" ? "likely network event" : "server event"} at ${utc(p)}: ${servers.join(", ")}`;
    }
    cell.style.gridColumn = String(i + 1);
    events.append(cell);
  }
  const rows = new Map(t.servers.map((s) => [s.name, s]));
  const pinned = page.layout.pinned.filter((n) => rows.has(n));
  const ordered = page.layout.order.filter((n) => rows.has(n) && !pinned.includes(n));
  const rest = [...rows.keys()].filter((n) => !pinned.includes(n) && !ordered.includes(n)).sort();
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".timeline");
  const focusedName = focused ? focused.dataset.server : null;
  $("#pinned").replaceChildren(...pinned.map((n) => timelineRow(rows.get(n), t, networkPeriods, true)));
  $("#others").replaceChildren(...[...ordered, ...rest].map((n) => timelineRow(rows.get(n), t, networkPeriods, false)));
  if (focusedName) {
    const again = document.querySelector(`.timeline[data-server="${CSS.escape(focusedName)}"]`);
    if (again) again.focus();
  }
}

function timelineRow(server, t, networkPeriods, pinned) {
  const li = document.createElement("li");
  li.className = "timeline";
  li.dataset.server = server.name;
  li.tabIndex = 0;
  li.setAttribute("aria-label", `${server.name}, ${server.state}${pinned ? ", pinned" : ""}`);
  const label = document.createElement("span");
  label.className = "label";
  const handle = document.createElement("span");
  handle.className = "handle";
  handle.textContent = "⠿";
  handle.title = "Drag to move";
  handle.setAttribute("aria-hidden", "true");
  li.draggable = true;
  const pin = document.createElement("button");
  pin.type = "button";
  pin.className = "pin";
  pin.textContent = "⚑";
  pin.setAttribute("aria-pressed", String(pinned));
  pin.setAttribute("aria-label", `${pinned ? "Unpin" : "Pin"} ${server.name}`);
  pin.addEventListener("click", () => setPinned(server.name, !pinned));
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = server.name;
  const state = document.createElement("span");
  state.className = "state";
  state.dataset.state = server.state;
  state.textContent = server.state;
  state.title = server.reason || "";
  label.append(handle, pin, name, state);
  const blocks = document.createElement("span");
  blocks.className = "blocks";
  for (const [i, s] of server.blocks.entries()) {
    const b = document.createElement("span");
    b.className = "block";
    if (networkPeriods.has(t.periods[i])) b.classList.add("in-network-event");
    b.dataset.state = s;
    b.dataset.period = t.periods[i];
    b.tabIndex = -1;
    b.setAttribute("role", "img");
    b.setAttribute("aria-label", `${server.name} ${utc(t.periods[i])} ${s === "unknown" ? "no data" : s}`);
    b.title = `${utc(t.periods[i])} UTC: ${s === "unknown" ? "no data" : s}`;
    blocks.append(b);
  }
  li.append(label, blocks);
  li.addEventListener("keydown", onRowKey);
  li.addEventListener("dragstart", onDragStart);
  li.addEventListener("dragend", onDragEnd);
  li.addEventListener("dragover", onDragOver);
  li.addEventListener("dragleave", (e) => e.currentTarget.classList.remove("drop-before", "drop-after"));
  li.addEventListener("drop", onDrop);
  blocks.addEventListener("mouseover", (e) => { if (e.target.classList.contains("block")) showFacts(server.name, e.target); });
  blocks.addEventListener("focusin", (e) => { if (e.target.classList.contains("block")) showFacts(server.name, e.target); });
  return li;
}

// ---- arrangement: order, pins, named saves ----------------------------------------------

function layoutFromPage() {
  const names = (id) => [...document.querySelectorAll(`${id} > .timeline`)].map((li) => li.dataset.server);
  return { order: names("#others"), pinned: names("#pinned") };
}

async function keepLayout() {
  page.layout = layoutFromPage();
  const r = await api(`/v1/arrangements/${encodeURIComponent(CURRENT)}`, { method: "PUT", body: page.layout });
  if (!r.ok) $("#timeline-error").textContent = `The arrangement was not kept: ${errorOf(r)}`;
}

async function loadLayout() {
  const r = await api(`/v1/arrangements/${encodeURIComponent(CURRENT)}`);
  page.layout = r.ok ? { order: r.data.order, pinned: r.data.pinned } : { order: [], pinned: [] };
}

async function loadArrangementList() {
  const r = await api("/v1/arrangements");
  const select = $("#arrangements");
  select.replaceChildren();
  for (const a of r.ok ? r.data : []) {
    if (a.name === CURRENT) continue;
    const o = document.createElement("option");
    o.value = a.name;
    o.textContent = a.name;
    select.append(o);
  }
}

async function saveArrangement() {
  const name = $("#arrangement-name").value.trim();
  if (!name) {
    $("#timeline-error").textContent = "Name the arrangement to save it.";
    return;
  }
  const r = await api(`/v1/arrangements/${encodeURIComponent(name)}`, { method: "PUT", body: layoutFromPage() });
  if (!r.ok) {
    $("#timeline-error").textContent = errorOf(r);
    return;
  }
  $("#timeline-error").textContent = "";
  await loadArrangementList();
  $("#arrangements").value = name;
}

async function loadArrangement() {
  const name = $("#arrangements").value;
  if (!name) return;
  const r = await api(`/v1/arrangements/${encodeURIComponent(name)}`);
  if (!r.ok) {
    $("#timeline-error").textContent = errorOf(r);
    return;
  }
  page.layout = { order: r.data.order, pinned: r.data.pinned };
  render();
  await keepLayout();
}

async function restoreOrder() {
  page.layout = { order: [], pinned: [] };
  render();
  await keepLayout();
}

function setPinned(name, pinned) {
  const layout = layoutFromPage();
  layout.pinned = layout.pinned.filter((n) => n !== name);
  layout.order = layout.order.filter((n) => n !== name);
  if (pinned) layout.pinned.push(name);
  else layout.order.unshift(name);
  page.layout = layout;
  render();
  const row = document.querySelector(`.timeline[data-server="${CSS.escape(name)}"]`);
  if (row) row.focus();
  keepLayout();
}

// Drag and drop: a row dropped on another goes before or after it (by which half it is
// dropped on); dropped into the other area it is pinned or unpinned.
function onDragStart(e) {
  e.dataTransfer.setData("text/plain", e.currentTarget.dataset.server);
  e.dataTransfer.effectAllowed = "move";
  e.currentTarget.classList.add("dragging");
}
function onDragEnd(e) {
  e.currentTarget.classList.remove("dragging");
  for (const el of document.querySelectorAll(".drop-before, .drop-after, .drop-into"))
    el.classList.remove("drop-before", "drop-after", "drop-into");
}
function onDragOver(e) {
  e.preventDefault();
  e.stopPropagation();
  e.dataTransfer.dropEffect = "move";
  const li = e.currentTarget;
  const box = li.getBoundingClientRect();
  const before = e.clientY < box.top + box.height / 2;
  li.classList.toggle("drop-before", before);
  li.classList.toggle("drop-after", !before);
}
function onDrop(e) {
  e.preventDefault();
  e.stopPropagation();
  const target = e.currentTarget;
  const before = target.classList.contains("drop-before");
  target.classList.remove("drop-before", "drop-after");
  const dragged = document.querySelector(`.timeline[data-server="${CSS.escape(e.dataTransfer.getData("text/plain"))}"]`);
  if (!dragged || dragged === target) return;
  target.parentElement.insertBefore(dragged, before ? target : target.nextSibling);
  moved(dragged);
}
for (const id of ["#pinned", "#others"]) {
  const list = $(id);
  list.addEventListener("dragover", (e) => { e.preventDefault(); list.classList.add("drop-into"); });
  list.addEventListener("dragleave", () => list.classList.remove("drop-into"));
  list.addEventListener("drop", (e) => {
    e.preventDefault();
    list.classList.remove("drop-into");
    const dragged = document.querySelector(`.timeline[data-server="${CSS.escape(e.dataTransfer.getData("text/plain"))}"]`);
    if (!dragged) return;
    list.append(dragged);
    moved(dragged);
  });
}
// After a move in the page: pins follow the area the row is in, and the layout is kept.
function moved(row) {
  page.layout = layoutFromPage();
  render();
  const again = document.querySelector(`.timeline[data-server="${CSS.escape(row.dataset.server)}"]`);
  if (again) again.focus();
  keepLayout();
}

// Keys on a row: Alt+↑/↓ move it, ←/→ walk its blocks, Home/End the first/last block.
function onRowKey(e) {
  const li = e.currentTarget;
  if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
    e.preventDefault();
    const sibling = e.key === "ArrowUp" ? li.previousElementSibling : li.nextElementSibling;
    if (sibling) li.parentElement.insertBefore(li, e.key === "ArrowUp" ? sibling : sibling.nextSibling);
    moved(li);
    return;
  }
  const blocks = [...li.querySelectorAll(".block")];
  const at = blocks.indexOf(document.activeElement);
  let next = null;
  if (e.key === "ArrowRight") next = at < 0 ? blocks.length - 1 : Math.min(at + 1, blocks.length - 1);
  if (e.key === "ArrowLeft") next = at < 0 ? blocks.length - 1 : Math.max(at - 1, 0);
  if (e.key === "Home") next = 0;
  if (e.key === "End") next = blocks.length - 1;
  if (e.key === "Escape") { li.focus(); $("#facts").hidden = true; return; }
  if (next !== null && blocks.length) {
    e.preventDefault();
    blocks[next].focus();
  }
}

// ---- a block's facts --------------------------------------------------------------------

async function showFacts(server, block) {
  const t = page.timeline;
  const period = Number(block.dataset.period);
  const box = $("#facts");
  box.hidden = false;
  box.dataset.server = server;
  box.dataset.period = String(period);
  const head = `${server} · ${utc(period)} – ${utc(period + t.period_ms)} UTC`;
  box.replaceChildren(el("h3", head), el("p", `State: ${block.dataset.state === "unknown" ? "no data" : block.dataset.state}`));
  const key = `${server}/${period}/${t.period_ms}`;
  let facts = page.facts.get(key);
  if (!facts) {
    const r = await api(`/v1/timelines/${encodeURIComponent(server)}/blocks/${period}?period=${span(t.period_ms)}`);
    if (!r.ok) {
      box.append(el("p", errorOf(r)));
      return;
    }
    facts = r.data;
    facts.applied = await changesIn(server, period, period + t.period_ms);
    page.facts.set(key, facts);
  }
  if (box.dataset.server !== server || box.dataset.period !== String(period)) return;  // moved on meanwhile
  const parts = [el("h3", head), el("p", `State: ${facts.state === "unknown" ? "no data" : facts.state}`)];
  if (facts.changes.length) {
    parts.push(el("p", "Changes of state:"));
    parts.push(list(facts.changes.map((c) =>
      `${utc(c.at_ms)} ${c.instance ? `${c.instance.service}/${c.instance.transport} ${c.instance.address}:${c.instance.port}` : "server"}: ${c.from} → ${c.to} (${c.reason})`)));
  } else {
    parts.push(el("p", "No change of state in this period."));
  }
  if (facts.metrics) {
    const pct = (v) => (v === null ? "–" : `${Math.round(v * 100)} %`);
    parts.push(el("p", `Reports: ${facts.metrics.reports} · host CPU at most ${pct(facts.metrics.cpu_max)} · memory at most ${pct(facts.metrics.memory_max)}`));
  } else {
    parts.push(el("p", "No report in this period."));
  }
  if (facts.applied && facts.applied.length) {
    parts.push(el("p", "Changes made:"));
    parts.push(list(facts.applied.map((c) => `${utc(c.at_ms)} ${c.author || "?"}: ${c.action} ${c.detail || ""} (${c.zone} serial ${c.serial})`)));
  }
  box.replaceChildren(...parts);
}

// The changes made in [from, to) to zones `server` serves (it reports a serial of them).
async function changesIn(server, from, to) {
  const r = await api("/v1/changes?limit=1000");
  if (!r.ok || !Array.isArray(r.data)) return [];
  return r.data.filter((c) => c.at_ms >= from && c.at_ms < to && (c.hosts || []).some((h) => h.server === server));
}

function el(tag, text) {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}
function list(items) {
  const ul = document.createElement("ul");
  for (const i of items) ul.append(el("li", i));
  return ul;
}

// ---- live ------------------------------------------------------------------------------

// Server-sent events read with fetch (EventSource cannot send the token): every event
// reloads what is on screen. Without the stream (an older controller, a proxy that
// buffers), the page polls.
async function startLive() {
  if (page.stream) page.stream.abort();
  const controller = new AbortController();
  page.stream = controller;
  let wait = 1000;
  while (!controller.signal.aborted) {
    try {
      const res = await fetch("/v1/events", { headers: { Authorization: `Bearer ${page.token}` }, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      setLive("live", "Live: changes appear as they happen");
      wait = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.split("\n").some((line) => line.startsWith("event:"))) reloadSoon();
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      setLive("polling", `No live stream (${err.message}); polling every 5 s`);
      reloadSoon();
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 5000);
  }
}
function setLive(text, title) {
  const live = $("#live");
  live.textContent = text;
  live.title = title;
}

// ---- the change log ---------------------------------------------------------------------

async function loadChanges() {
  const r = await api("/v1/changes?limit=200");
  const body = $("#changes tbody");
  if (!r.ok) {
    $("#changes-error").textContent = errorOf(r);
    body.replaceChildren();
    return;
  }
  $("#changes-error").textContent = "";
  body.replaceChildren(...r.data.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.changeId = c.id;
    const hosts = document.createElement("td");
    for (const h of c.hosts || []) {
      const status = h.status || (h.applied ? "applied" : "pending");
      const s = el("span", `${h.server} ${{applied: "✓", failed: "✗"}[status] || "…"} `);
      s.className = status;
      s.title = `${h.server} ${status === "applied" ? "applied" : status === "failed" ? "failed on" : "has not applied"} ` +
                `serial ${c.serial} (it reports ${h.serial})${h.detail ? ": " + h.detail : ""}`;
      hosts.append(s);
    }
    if (!(c.hosts || []).length) hosts.textContent = "no host reports this zone";
    tr.append(el("td", utc(c.at_ms)), el("td", c.author || ""), el("td", `${c.action} ${c.detail || ""}`),
              el("td", c.zone), el("td", String(c.serial)), hosts);
    return tr;
  }));
}

// ---- settings: health criteria and alert policies ---------------------------------------

async function loadSettingsAccounts() {
  const select = $("#settings-account");
  let accounts = [];
  if (page.who.role === "admin") {
    const r = await api("/v1/accounts");
    accounts = r.ok ? r.data.map((a) => a.name) : [];
  } else if (page.who.account) {
    accounts = [page.who.account];
  }
  const before = select.value;
  select.replaceChildren(...accounts.map((a) => { const o = el("option", a); o.value = a; return o; }));
  if (accounts.includes(before)) select.value = before;
  const readOnly = page.who.role === "account-viewer";
  $("#settings-save").disabled = readOnly;
  $("#settings-save").title = readOnly ? "An account-viewer reads the settings; an account-admin changes them." : "";
  await loadSettings();
}

async function loadSettings() {
  const account = $("#settings-account").value;
  const result = $("#settings-result");
  result.textContent = "";
  result.className = "";
  if (!account) return;
  // Read-only while the account's file loads, so nothing typed meanwhile is overwritten.
  const text = $("#settings-text");
  text.readOnly = true;
  text.dataset.state = "loading";
  const r = await api(`/v1/accounts/${encodeURIComponent(account)}/settings`);
  text.readOnly = false;
  text.dataset.state = "ready";
  if (r.ok) {
    $("#settings-text").value = r.data.text;
    $("#settings-file").value = r.data.file;
    $("#settings-version").textContent = `version ${r.data.version} by ${r.data.author || "?"}`;
  } else {
    $("#settings-text").value = "";
    $("#settings-version").textContent = errorOf(r);
  }
}

function settingsBody() { return { text: $("#settings-text").value, file: $("#settings-file").value }; }

async function checkSettings() {
  const r = await api("/v1/settings/check", { method: "POST", body: settingsBody() });
  showSettingsResult(r, "The file checks: nothing was saved.");
}

async function saveSettings() {
  const account = $("#settings-account").value;
  const r = await api(`/v1/accounts/${encodeURIComponent(account)}/settings`, { method: "PUT", body: settingsBody() });
  showSettingsResult(r, r.ok ? `Saved as version ${r.data.version}.` : "");
  if (r.ok) $("#settings-version").textContent = `version ${r.data.version} by ${r.data.author || "?"}`;
}

function showSettingsResult(r, good) {
  const result = $("#settings-result");
  result.textContent = r.ok ? good : errorOf(r);
  result.className = r.ok ? "good" : "bad";
}

// ---- wiring ----------------------------------------------------------------------------

// ?range=…&period=… in the address choose them (a link shows what its sender saw); the
// choices made here go back into it.
function choiceFromAddress(select, value) {
  if (!value) return;
  if (![...select.options].some((o) => o.value === value)) select.append(Object.assign(el("option", value), { value }));
  select.value = value;
}
{
  const asked = new URLSearchParams(location.search);
  choiceFromAddress($("#range"), asked.get("range"));
  choiceFromAddress($("#period"), asked.get("period"));
}
function keepChoicesInAddress() {
  const params = new URLSearchParams({ range: $("#range").value });
  if ($("#period").value) params.set("period", $("#period").value);
  history.replaceState(null, "", `?${params}`);
}

$("#signin").addEventListener("submit", (e) => {
  e.preventDefault();
  signIn(e.target.token.value.trim());
});
$("#signout").addEventListener("click", () => signOut());
for (const v of ["timelines", "changes", "settings"]) $(`#tab-${v}`).addEventListener("click", () => show(v));
for (const id of ["#range", "#period"])
  $(id).addEventListener("change", () => { keepChoicesInAddress(); loadTimelines(); });
$("#save-arrangement").addEventListener("click", saveArrangement);
$("#load-arrangement").addEventListener("click", loadArrangement);
$("#restore-order").addEventListener("click", restoreOrder);
$("#settings-account").addEventListener("change", loadSettings);
$("#settings-check").addEventListener("click", checkSettings);
$("#settings-save").addEventListener("click", saveSettings);

if (page.token) signIn(page.token);
