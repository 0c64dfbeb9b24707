// The WASM bundle on the wire: a first view of a catalog page (empty cache) transfers under 2 MB,
// the bundle comes content-named, compressed and cacheable for good, and a second page view
// (another page, loaded in full) transfers under 100 KB because the bundle comes from the cache;
// the hydrated page then works (the tenant filter narrows the list as one types). Bytes are
// counted as Chromium received them (CDP `encodedDataLength`: headers and the encoded body).
// Without JavaScript no `.js` and no `.wasm` is even requested (no preload hints), so a first
// view is the page and its stylesheet alone.
const { test, expect } = require('@playwright/test');
const { jsEnabled, settle, signIn, READER } = require('./helpers');

const FIRST_VIEW_LIMIT = 2_000_000;
const SECOND_VIEW_LIMIT = 100_000;
// Without JavaScript: the HTML (the events list, about 76 KB, sent uncompressed) and the
// stylesheet (about 17 KB); the bundle alone would be about 800 KB more.
const NO_SCRIPT_LIMIT = 150_000;

// Counts the bytes a page receives over the network, and notes each response.
async function meter(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const meter = { bytes: 0, fromNetwork: [], responses: [], requested: [] };
  const urls = new Map();
  page.on('request', (request) => meter.requested.push(new URL(request.url()).pathname));
  cdp.on('Network.responseReceived', (event) => urls.set(event.requestId, event.response.url));
  cdp.on('Network.loadingFinished', (event) => {
    meter.bytes += event.encodedDataLength;
    if (event.encodedDataLength > 0) meter.fromNetwork.push(urls.get(event.requestId));
  });
  page.on('response', (response) => meter.responses.push(response));
  meter.reset = () => {
    meter.bytes = 0;
    meter.fromNetwork = [];
    meter.responses = [];
    meter.requested = [];
  };
  return meter;
}

test('a first view loads a small, compressed, cacheable bundle and a second view loads none', async ({ browser, page }, testInfo) => {
  // Signed in in one context; the views are measured in a fresh one (an empty cache) with its cookie.
  await signIn(page, READER);
  const state = await page.context().storageState();
  const context = await browser.newContext({
    storageState: state,
    javaScriptEnabled: jsEnabled(testInfo),
  });
  const fresh = await context.newPage();
  const wire = await meter(context, fresh);

  const html = await fresh.goto('/t/shopwave/events');
  await settle(fresh, testInfo);
  expect(html.headers()['cache-control'], 'pages are never kept').toBe('no-store');
  const firstView = wire.bytes;
  const bundle = wire.responses.filter((response) => new URL(response.url()).pathname.startsWith('/pkg/'));
  console.log(`${testInfo.project.name}: first view ${firstView} bytes`);

  const wasm = bundle.find((response) => response.url().endsWith('.wasm'));
  const js = bundle.find((response) => response.url().endsWith('.js'));
  if (jsEnabled(testInfo)) {
    expect(wasm, 'the page loads the WASM bundle').toBeTruthy();
    expect(new URL(js.url()).pathname).toMatch(/^\/pkg\/blueprint-[0-9a-f]{16}\.js$/);
    expect((await js.allHeaders())['cache-control']).toBe('public, max-age=31536000, immutable');
  } else {
    // Nothing would run the bundle, so nothing asks for it: no script, no WASM, no hint.
    expect(wire.requested.filter((path) => /\.(js|wasm)$/.test(path)), 'no .js or .wasm is requested').toEqual([]);
    expect(await fresh.locator('link[rel=modulepreload], link[rel=preload]').count()).toBe(0);
    expect(firstView, 'a first view without JavaScript is the page alone').toBeLessThan(NO_SCRIPT_LIMIT);
  }
  if (wasm) {
    expect(new URL(wasm.url()).pathname).toMatch(/^\/pkg\/blueprint-[0-9a-f]{16}_bg\.wasm$/);
    const headers = await wasm.allHeaders();
    expect(['br', 'gzip']).toContain(headers['content-encoding']);
    expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(headers['content-type']).toBe('application/wasm');
  }
  expect(firstView).toBeLessThan(FIRST_VIEW_LIMIT);

  // A second page, loaded in full as a link opened without the client router would be.
  wire.reset();
  await fresh.goto('/t/shopwave/screens');
  await settle(fresh, testInfo);
  await expect(fresh.getByRole('heading', { level: 1 })).toBeVisible();
  const secondView = wire.bytes;
  console.log(`${testInfo.project.name}: second view ${secondView} bytes`);
  expect(wire.fromNetwork.filter((url) => new URL(url).pathname.startsWith('/pkg/'))).toEqual([]);
  expect(secondView).toBeLessThan(SECOND_VIEW_LIMIT);
  if (!jsEnabled(testInfo)) {
    expect(wire.requested.filter((path) => /\.(js|wasm)$/.test(path))).toEqual([]);
  } else {
    // Hydrated: typing in the tenant filter narrows the list as one types, with no form sent.
    await fresh.goto('/');
    await settle(fresh, testInfo);
    await expect(fresh.getByTestId('tenants')).toContainText('shopwave');
    await fresh.getByLabel('Filter tenants').pressSequentially('no such tenant');
    await expect(fresh).toHaveURL(/\/\?q=no(%20|\+)such(%20|\+)tenant$/);
    await expect(fresh.getByTestId('tenants-empty')).toHaveText('No tenant matches this filter.');
  }
  await context.close();
});
