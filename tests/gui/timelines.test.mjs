// The timelines page in headless chromium (run by timelines.sh, which starts the
// controller and makes the accounts and tokens). Each test leaves a screenshot in
// $PATCHBAY_ARTIFACTS. Tests run in order and build on each other's arrangement.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const URL = process.env.PATCHBAY_URL;
const TOKENS = {
  admin: process.env.PATCHBAY_ADMIN,
  viewerA: process.env.PATCHBAY_VIEWER_A,
  adminA: process.env.PATCHBAY_ADMIN_A,
  agentA: process.env.PATCHBAY_AGENT_A,
};
const ART = process.env.PATCHBAY_ARTIFACTS;
const PAGE = `${URL}/ui/?range=2m&period=2s`;

// ---- the controller's side ----------------------------------------------------------------

async function call(token, path, { method = "GET", body } = {}) {
  const res = await fetch(URL + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : null };
}

let seq = Date.now() * 1000;
function report(agent, domain, address, state, serial = 2) {
  return {
    agent, boot: "b1", seq: ++seq, at_ms: Date.now(), serials: { [domain]: serial },
    host: { load1: 0.1, cpu: 0.25, memory: 0.5 },
    instances: [{ domain, service: "http", transport: "tcp", address, port: 80,
                  unit: `patchbay-http@${address}:80.service`, active_state: state }],
  };
}
async function post(token, reports) {
  const r = await call(token, "/v1/reports", { method: "POST", body: { reports } });
  assert.equal(r.status, 200, JSON.stringify(r.data));
}
const fleet = (s1, s2, s3, s4) => [
  report("h1", "a.example", "10.0.0.1", s1), report("h2", "a.example", "10.0.0.2", s2),
  report("h3", "a.example", "10.0.0.3", s3), report("h4", "b.example", "10.0.0.4", s4),
];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Into the next 2-second history period (and past the controller's tick).
const nextPeriod = () => sleep(2000 - (Date.now() % 2000) + 300);

// ---- the browser's side ---------------------------------------------------------------------

let browser;
before(async () => {
  // History: all up for three periods, h1 and h2 down together, then all up.
  for (const states of [["active", "active"], ["active", "active"], ["active", "active"],
                        ["failed", "failed"], ["active", "active"], ["active", "active"]]) {
    await post(TOKENS.admin, fleet(states[0], states[1], "active", "active"));
    await nextPeriod();
  }
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { if (browser) await browser.close(); });

async function signedIn(token, address = PAGE) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.on("pageerror", (e) => { throw new Error(`page error: ${e.message}`); });
  await page.goto(address);
  await page.fill("#signin input[name=token]", token);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector(".timeline");
  return page;
}
const shot = (page, name) => page.screenshot({ path: `${ART}/${name}.png`, fullPage: true });
const names = (page, area) =>
  page.$$eval(`${area} > .timeline`, (rows) => rows.map((r) => r.dataset.server));
async function waitForKept(page) {
  await page.waitForResponse((r) => r.url().includes("/v1/arrangements/%40current") && r.request().method() === "PUT");
}

let viewer;  // account a's viewer, signed in once; the later tests go on with it

test("the page lists exactly the servers of the signed-in account", async () => {
  viewer = await signedIn(TOKENS.viewerA);
  assert.deepEqual(await names(viewer, "#others"), ["h1", "h2", "h3"]);
  assert.deepEqual(await names(viewer, "#pinned"), []);
  assert.match(await viewer.textContent("#who"), /alice · account-viewer of a/);
  await shot(viewer, "01-viewer-a");
  const admin = await signedIn(TOKENS.admin);
  assert.deepEqual(await names(admin, "#others"), ["h1", "h2", "h3", "h4"]);
  await shot(admin, "02-admin");
  await admin.close();
});

test("the blocks are the controller's history, lined up by period", async () => {
  const periods = await viewer.$$eval(".timeline", (rows) =>
    rows.map((r) => [...r.querySelectorAll(".block")].map((b) => Number(b.dataset.period))));
  // Every row has the same periods in the same columns.
  for (const row of periods) assert.deepEqual(row, periods[0]);
  const lastClosed = periods[0][periods[0].length - 1] - 4000;
  for (const name of ["h1", "h2", "h3"]) {
    const shown = Object.fromEntries(await viewer.$$eval(`.timeline[data-server="${name}"] .block`, (blocks) =>
      blocks.map((b) => [b.dataset.period, b.dataset.state])));
    const stored = (await call(TOKENS.admin, `/v1/servers/${name}`)).data.blocks
      .filter((b) => b.period_ms >= periods[0][0] && b.period_ms <= lastClosed);
    assert.ok(stored.length >= 5, `${name}: ${stored.length} stored blocks`);
    for (const b of stored) assert.equal(shown[b.period_ms], b.state, `${name} at ${b.period_ms}`);
    // And a period without a stored block shows no data.
    assert.equal(shown[periods[0][0]], "unknown");
  }
  assert.ok(await viewer.$$eval('.timeline[data-server="h1"] .block[data-state="down"]', (b) => b.length) >= 1);
  assert.equal(await viewer.$$eval('.timeline[data-server="h3"] .block[data-state="down"]', (b) => b.length), 0);
});

test("a network event is marked in the period where h1 and h2 fell together", async () => {
  const marks = await viewer.$$eval('#events .event-mark[data-kind="network"]', (m) => m.map((x) => [x.dataset.period, x.title]));
  assert.equal(marks.length, 1);
  const [period, title] = marks[0];
  assert.match(title, /likely network event .*h1, h2/);
  const states = await viewer.$$eval(`.block[data-period="${period}"]`, (b) => b.map((x) => x.dataset.state));
  assert.deepEqual(states, ["down", "down", "up"]);
  assert.equal(await viewer.$$eval(`.block.in-network-event[data-period="${period}"]`, (b) => b.length), 3);
  await shot(viewer, "03-network-event");
});

test("a block's facts show on hover and on focus", async () => {
  // The grid moves on by a column every 2 s (and is drawn anew): a hover may land on the
  // column next to the one aimed at, so it is aimed again, a few times at most.
  let shown = false;
  for (let i = 0; i < 5 && !shown; ++i) {
    await viewer.locator('.timeline[data-server="h1"] .block[data-state="down"]').first().hover();
    shown = await viewer.waitForFunction(() => /unit failed/.test(document.querySelector("#facts").textContent),
                                         null, { timeout: 2000 }).then(() => true, () => false);
  }
  assert.ok(shown, `facts: ${await viewer.textContent("#facts")}`);
  const facts = await viewer.textContent("#facts");
  assert.match(facts, /State: down/);
  assert.match(facts, /up → down \(unit failed\)/);
  assert.match(facts, /host CPU at most 25 %/);
  await shot(viewer, "04-facts");
  // The keyboard way: focus the row, End, then ← to an earlier block.
  await viewer.focus('.timeline[data-server="h2"]');
  await viewer.keyboard.press("End");
  await viewer.keyboard.press("ArrowLeft");
  const focused = await viewer.evaluate(() => document.activeElement.dataset.period);
  await viewer.waitForFunction((p) => document.querySelector("#facts").dataset.period === p, focused);
  assert.match(await viewer.textContent("#facts"), /^h2 · /);
});

test("drag and drop reorders, and the order survives a reload", async () => {
  const kept = waitForKept(viewer);
  await viewer.locator('.timeline[data-server="h3"] .handle').dragTo(viewer.locator('.timeline[data-server="h1"]'),
                                                                       { targetPosition: { x: 100, y: 3 } });
  await kept;
  assert.deepEqual(await names(viewer, "#others"), ["h3", "h1", "h2"]);
  await shot(viewer, "05-dragged");
  await viewer.reload();
  await viewer.waitForSelector(".timeline");
  assert.deepEqual(await names(viewer, "#others"), ["h3", "h1", "h2"]);
});

test("the keyboard reorders too (Alt+↑)", async () => {
  await viewer.focus('.timeline[data-server="h2"]');
  const kept = waitForKept(viewer);
  await viewer.keyboard.press("Alt+ArrowUp");
  await kept;
  assert.deepEqual(await names(viewer, "#others"), ["h3", "h2", "h1"]);
  assert.equal(await viewer.evaluate(() => document.activeElement.dataset.server), "h2");
});

test("pin, save, restore the original order, load the saved one", async () => {
  let kept = waitForKept(viewer);
  await viewer.click('.timeline[data-server="h1"] .pin');
  await kept;
  assert.deepEqual(await names(viewer, "#pinned"), ["h1"]);
  assert.deepEqual(await names(viewer, "#others"), ["h3", "h2"]);
  await shot(viewer, "06-pinned");
  await viewer.fill("#arrangement-name", "night shift");
  await viewer.click("#save-arrangement");
  await viewer.waitForSelector('#arrangements option[value="night shift"]', { state: "attached" });
  kept = waitForKept(viewer);
  await viewer.click("#restore-order");
  await kept;
  assert.deepEqual(await names(viewer, "#pinned"), []);
  assert.deepEqual(await names(viewer, "#others"), ["h1", "h2", "h3"]);
  await viewer.selectOption("#arrangements", "night shift");
  kept = waitForKept(viewer);
  await viewer.click("#load-arrangement");
  await kept;
  assert.deepEqual(await names(viewer, "#pinned"), ["h1"]);
  assert.deepEqual(await names(viewer, "#others"), ["h3", "h2"]);
  // Kept on the controller, per user: the admin of account a has none of alice's.
  assert.equal((await call(TOKENS.viewerA, "/v1/arrangements/night%20shift")).status, 200);
  assert.equal((await call(TOKENS.adminA, "/v1/arrangements/night%20shift")).status, 404);
  await viewer.reload();
  await viewer.waitForSelector(".timeline");
  assert.deepEqual(await names(viewer, "#pinned"), ["h1"]);
  await shot(viewer, "07-loaded");
});

test("a state change reported by an agent appears live, without a reload", async () => {
  assert.equal(await viewer.textContent("#live"), "live");  // the server-sent events stream, not polling
  await viewer.evaluate(() => { window.notReloaded = true; });
  await post(TOKENS.agentA, [report("h3", "a.example", "10.0.0.3", "failed")]);
  await viewer.waitForSelector('.timeline[data-server="h3"] .state[data-state="down"]', { timeout: 10000 });
  assert.equal(await viewer.evaluate(() => window.notReloaded), true);
  const last = await viewer.$$eval('.timeline[data-server="h3"] .block', (b) => b.slice(-2).map((x) => x.dataset.state));
  assert.ok(last.includes("down"), `h3's last blocks: ${last}`);
  await shot(viewer, "08-live");
});

test("the change log: who changed what, when, and which hosts have applied it", async () => {
  const anna = await signedIn(TOKENS.adminA);
  const added = await call(TOKENS.adminA, "/v1/zones/a.example/tuples", {
    method: "POST", body: { service: "sip", transport: "udp", address: "10.0.0.9", port: 5060 } });
  assert.equal(added.status, 201, JSON.stringify(added.data));
  const change = (await call(TOKENS.adminA, "/v1/changes?zone=a.example&limit=1")).data[0];
  assert.equal(change.author, "token:anna");
  await anna.click("#tab-changes");
  const row = anna.locator(`#changes tr[data-change-id="${change.id}"]`);
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /token:anna/);
  assert.match(text, /tuple add sip\/udp 10\.0\.0\.9:5060/);
  // h1..h3 report the serial before it: pending; h1 applies it, and the page shows so live.
  assert.equal(await row.locator(".pending").count(), 3);
  await post(TOKENS.agentA, [report("h1", "a.example", "10.0.0.1", "active", change.serial)]);
  await row.locator(".applied", { hasText: "h1" }).waitFor({ timeout: 10000 });
  assert.equal(await row.locator(".pending").count(), 2);
  await shot(anna, "09-changes");
  await anna.close();
});

test("health criteria and alert policies: checked and saved through the API, with its messages", async () => {
  const page = await signedIn(TOKENS.adminA);
  await page.click("#tab-settings");
  await page.waitForSelector('#settings-account option[value="a"]', { state: "attached" });
  await page.waitForSelector('#settings-text[data-state="ready"]');  // the account's file loaded
  const bad = "[health]\ndown_after = \"two\"\n";
  await page.fill("#settings-text", bad);
  await page.click("#settings-check");
  await page.waitForSelector("#settings-result.bad");
  const api = await call(TOKENS.adminA, "/v1/settings/check", { method: "POST", body: { text: bad, file: "settings.toml" } });
  assert.equal(api.status, 400);
  assert.equal(await page.textContent("#settings-result"), api.data.error);
  assert.match(api.data.error, /^settings\.toml:2:/);
  await shot(page, "10-settings-error");
  const good = "[health]\ndown_after = 3\n";
  await page.fill("#settings-text", good);
  await page.click("#settings-save");
  await page.waitForSelector("#settings-result.good");
  assert.match(await page.textContent("#settings-result"), /Saved as version 1/);
  assert.equal((await call(TOKENS.adminA, "/v1/accounts/a/settings")).data.text, good);
  await shot(page, "11-settings-saved");
  await page.close();
  // A viewer reads them, and cannot save.
  await viewer.click("#tab-settings");
  await viewer.waitForFunction(() => document.querySelector("#settings-text").value.includes("down_after = 3"));
  assert.equal(await viewer.isDisabled("#settings-save"), true);
});
