// Basic Paxos in the playground: picked in the header, every panel speaks its words (roles on
// the ring, three machines per node in the diagram, the acceptor's promise in the inspector),
// a client put to a proposer gets a value chosen that every learner then knows, a put to a
// node that does not propose is refused with the reason, and a share link reopens the same
// protocol, run and moment.
//
// The shipped page carries Ceph only (its first load stays small); Basic Paxos lives in the
// family page, dist/family/ (the same app built with --features basic-paxos). A pick in the
// picker, or a Basic Paxos link opened on the shipped page, continues there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, pageErrors } from './lib.mjs';
import { button, fragment, monitors, simTime, traceHash } from './links.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


const protocolSelect = (page) => page.getByRole('combobox', { name: 'Protocol', exact: true });

/** The value each node says it learned (the ring's line under it), in rank order. */
async function learned(page) {
  return page.locator('#cluster [data-node] .node-meta').evaluateAll((els) =>
    els.map((e) => /learned "(.*)"/.exec(e.textContent)?.[1] ?? null),
  );
}

test('the protocol picker switches to Basic Paxos, and its default run chooses one value', async () => {
  const { page, context, errors } = await openPage(browser, '');
  try {
    assert.equal(await protocolSelect(page).inputValue(), 'ceph', 'Ceph is the default');
    const cas = (p) => p.locator('.panel.client').getByRole('button', { name: 'CAS' });
    assert.equal(await cas(page).count(), 1, 'Ceph offers compare-and-set');
    await protocolSelect(page).selectOption('basic-paxos');
    await page.waitForURL(/\/family\/#/);
    await page.waitForFunction(() => document.querySelector('.scenario-name')?.textContent === 'Basic Paxos');
    assert.match(await page.locator('.tagline').textContent(), /Basic Paxos/);
    assert.match(page.url(), /protocol\+basic-paxos/, 'the protocol is in the URL');
    const roles = (await monitors(page)).map((m) => m.role);
    assert.deepEqual(roles, ['proposer', 'proposer', 'acceptor', 'acceptor', 'acceptor']);
    // The default scenario asks both proposers to propose; one value is chosen and learned by all.
    await page.waitForFunction(
      () => [...document.querySelectorAll('#cluster [data-node]')].every((n) => n.dataset.lastCommitted === '1'),
      null,
      { timeout: 20_000 },
    );
    const values = await learned(page);
    assert.equal(new Set(values).size, 1, `one value everywhere: ${values}`);
    assert.ok(['A', 'B'].includes(values[0]), `a proposed value: ${values}`);
    // Both clients are told the chosen value, whichever they asked for.
    for (const id of ['1', '2']) {
      await page.waitForFunction((id) => document.querySelector(`[data-req="${id}"]`)?.dataset.fate === 'answered', id);
      assert.match(await page.locator(`[data-req="${id}"]`).textContent(), new RegExp(`the value is ${values[0]}`));
    }
    // Basic Paxos chooses one value: the client panel offers put and get, not compare-and-set.
    const client = page.locator('.panel.client');
    assert.equal(await client.getByRole('button', { name: 'Put' }).count(), 1);
    assert.equal(await cas(page).count(), 0, 'no CAS under Basic Paxos');
    assert.equal(await client.getByLabel('Expected value').count(), 0);
    // The log words a proposer's answer as the value chosen, not as a read.
    await page.getByLabel('Log family filter').selectOption('clients');
    const rows = await page.locator('.log-row').allTextContents();
    for (const id of ['1', '2']) {
      const re = new RegExp(`client reply ${id}: the value is ${values[0]}`);
      assert.ok(rows.some((r) => re.test(r)), rows.join('\n'));
    }
    assert.ok(!rows.some((r) => /\bread\b/.test(r)), rows.join('\n'));
    await page.getByLabel('Log family filter').selectOption('');
    // The legend and the log filter name Basic Paxos's message families.
    assert.match(await page.getByRole('list', { name: 'Message families' }).textContent(), /prepare \/ promise/);
    await button(page, 'Pause').click();
    await screenshot(page, 'basic-paxos-playground');
    assert.equal(await page.locator('[data-invariants]').getAttribute('data-invariants'), 'ok');
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await context.close();
  }
});

const BASE = [
  'paxoscope scenario v1',
  'name "Basic Paxos put"',
  'protocol basic-paxos',
  'seed 5',
  'set monitors 3',
  'set latency_ms 100',
  'set jitter_ms 20',
  'view t 0 node 0 speed 1 paused',
];

test('a put to a proposer gets its value chosen; a put elsewhere is refused; a link reopens the run', async () => {
  const { page, context, errors } = await openPage(browser, fragment(BASE));
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    assert.match(page.url(), /\/family\/#/, 'a Basic Paxos link on the shipped page continues at the family page');
    assert.equal(await protocolSelect(page).inputValue(), 'basic-paxos');
    // node.0's diagram: three machines, its proposer idle.
    const diagram = page.locator('.diagram.large');
    for (const m of ['proposer', 'acceptor', 'learner']) {
      assert.equal(await diagram.locator(`.group-label:text-is("${m}")`).count(), 1, `a ${m} frame`);
    }
    assert.equal(await diagram.locator('[data-current]').evaluateAll((els) => els.map((e) => e.dataset.state)).then((s) => s.join(' ')),
      'proposer-idle acceptor-idle learner-unknown');

    await page.getByLabel('Client target').selectOption('0');
    await page.getByLabel('Value', { exact: true }).fill('blue');
    await button(page, 'Put').click();
    await page.locator('[data-req="1"]').waitFor();
    await button(page, 'Play').click();
    await page.waitForFunction(() => document.querySelector('[data-req="1"]')?.dataset.fate === 'answered', null, { timeout: 20_000 });
    assert.match(await page.locator('[data-req="1"]').textContent(), /the value is blue/);
    // Every learner knows it; node.0's proposer reached its final state, its learner too.
    await page.waitForFunction(() => [...document.querySelectorAll('#cluster [data-node]')].every((n) => n.dataset.lastCommitted === '1'));
    assert.deepEqual(await learned(page), ['blue', 'blue', 'blue']);
    await diagram.locator('[data-state="proposer-done"][data-current]').waitFor();
    await diagram.locator('[data-state="learner-learned"][data-current]').waitFor();
    // The inspector shows the acceptor's durable promise and accepted proposal.
    const inspector = page.locator('.inspector');
    assert.match(await inspector.textContent(), /promised1\.0/);
    assert.match(await inspector.textContent(), /accepted1\.0:"blue"/);

    // node.2 does not propose: its put is refused, with the reason.
    await page.getByLabel('Client target').selectOption('2');
    await button(page, 'Put').click();
    await page.waitForFunction(() => document.querySelector('[data-req="2"]')?.dataset.fate === 'refused');
    assert.match(await page.locator('[data-req="2"]').textContent(), /not a proposer/);
    await button(page, 'Pause').click();
    await screenshot(page, 'basic-paxos-chosen');

    // The share link reopens Basic Paxos at the same moment of the same run.
    const before = { hash: await traceHash(page), mons: await monitors(page), t: await simTime(page) };
    await button(page, 'Share').click();
    const url = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
    assert.match(url, /protocol\+basic-paxos/);
    const fresh = await other.newPage();
    await fresh.goto(url);
    await fresh.waitForSelector('#cluster [data-node]');
    assert.equal(await protocolSelect(fresh).inputValue(), 'basic-paxos');
    assert.equal(await simTime(fresh), before.t, 'same playhead');
    assert.equal(await traceHash(fresh), before.hash, 'same trace hash');
    assert.deepEqual(await monitors(fresh), before.mons, 'same node states');
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await other.close();
    await context.close();
  }
});

test('the breaks panel says Basic Paxos tolerates loss, duplication and reordering', async () => {
  const { page, context, errors } = await openPage(browser, fragment(BASE));
  try {
    const panel = page.locator('.breaks');
    await panel.waitFor();
    assert.match(await panel.textContent(), /Messenger faults it tolerates/);
    assert.match(await panel.textContent(), /tolerates lost, duplicated and reordered messages/);
    assert.match(await panel.textContent(), /break forget-promise/);
    assert.deepEqual(pageErrors(errors), []);
  } finally {
    await context.close();
  }
});
