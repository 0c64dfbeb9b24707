// Pages a product manager can trust at a glance (issue 17, items 1, 3 and 6), over the demo
// tenant `shopwave` (48 hours ending with the hour before E2E_DEMO_AT_MS, so the current hour is
// never ingested): partial buckets are marked and later ones are not drawn as zero, the current
// hour is "not due" rather than missing, charts keep one colour per version and whole-number
// ticks and stay readable at 390 px, and statuses agree with each other.
const { test, expect } = require('@playwright/test');
const { settle, signIn, screenshot, ADMIN, READER } = require('./helpers');

// The tenant's latest hour as its overview says (`YYYY-MM-DDTHH:00:00Z`); another spec ingests
// the current hour of a demo tenant, so it is read, not assumed. Its day is partial unless it is 23h.
async function latestHour(page, tenant) {
  await page.goto(`/t/${tenant}`);
  // The latest hour reads relative to now; its exact UTC hour is the time element's datetime.
  const text = (await page.locator('[data-testid=health] dd time[datetime]').first().getAttribute('datetime')).trim();
  expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
  return Number(text.slice(11, 13));
}

// Both widths the issue asks for, each with its screenshot.
async function atWidths(page, testInfo, name) {
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, testInfo, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

function points(attribute) {
  return (attribute || '').trim().split(/\s+/).filter(Boolean).map((p) => p.split(',').map(Number));
}

test('sparklines and the activity line draw only what is ingested, the partial day marked', async ({ page }, testInfo) => {
  // Fifty sparklines, each read point by point: more than the default 30 s on a loaded machine.
  test.setTimeout(120_000);
  await signIn(page, READER);
  const latest = await latestHour(page, 'shopwave');
  const dayPartial = latest !== 23;
  await page.goto('/t/shopwave/events');
  await settle(page, testInfo);
  const sparks = page.locator('[data-testid=events] svg.sparkline');
  await expect(sparks).toHaveCount(50);
  for (const spark of await sparks.all()) {
    // The default range is the 7 days up to the latest hour's day: that day is partial unless the
    // latest hour is 23h, and no later day exists in it.
    await expect(spark).toHaveAttribute('data-points', '7');
    await expect(spark).toHaveAttribute('data-complete', dayPartial ? '6' : '7');
    const line = points(await spark.locator(':scope > polyline').getAttribute('points'));
    expect(line.length).toBe(dayPartial ? 6 : 7);
    await expect(spark.locator('[data-partial=true]')).toHaveCount(dayPartial ? 1 : 0);
  }
  await atWidths(page, testInfo, 'events-sparklines');

  await page.goto('/t/shopwave');
  await settle(page, testInfo);
  const activity = page.locator('svg[data-testid=chart]').first();
  // The hours after the latest one are not ingested: a band, and no point of the line (which
  // used to fall to zero and run flat to midnight).
  await expect(activity.getByTestId('not-ingested')).toHaveCount(dayPartial ? 1 : 0);
  let drawn = 0;
  for (const line of await activity.locator('polyline[data-series=events]').all()) {
    drawn += points(await line.getAttribute('points')).length;
  }
  expect(drawn).toBe(7 * 24 - (23 - latest));
  await atWidths(page, testInfo, 'overview-activity');
});

test('the ingestion strip and the hours API call the current hour not due, not missing', async ({ page }, testInfo) => {
  // `launchpad`: no other spec ingests its current hour.
  await signIn(page, ADMIN);
  const hours = await page.request.get('/api/v1/tenants/launchpad/hours');
  expect(hours.status()).toBe(200);
  const cells = await hours.json();
  expect(cells.length).toBe(48);
  // The current hour has not ended, so it is never due.
  expect(cells[cells.length - 1].state).toBe('not_due');
  await page.goto('/admin/ingestion');
  await settle(page, testInfo);
  const strip = page.locator('[data-testid=timeline][data-tenant=launchpad] a.hour-cell');
  await expect(strip).toHaveCount(48);
  await expect(strip.last()).toHaveAttribute('data-state', 'not_due');
  await expect(strip.last()).toHaveAttribute('title', /: not due$/);
  await expect(page.locator('.legend-item').filter({ hasText: /^not due$/ })).toHaveCount(1);
  await atWidths(page, testInfo, 'ingestion-not-due');
});

test('an event page keeps one colour per version, whole-number ticks, a fitted daily chart and readable axes', async ({ page }, testInfo) => {
  // Every legend entry, tick and date label read one by one, at two widths.
  test.setTimeout(120_000);
  await signIn(page, READER);
  const dayPartial = (await latestHour(page, 'shopwave')) !== 23;
  await page.goto('/t/shopwave/events/productViewed');
  await settle(page, testInfo);
  const charts = page.locator('figure.chart:not(.band-chart)');
  await expect(charts).toHaveCount(2);
  const [hourly, daily] = [charts.nth(0), charts.nth(1)];
  const colours = async (chart) => {
    const out = {};
    for (const item of await chart.locator('.legend li[data-series]').all()) {
      out[await item.getAttribute('data-series')] = await item.getAttribute('data-colour');
    }
    return out;
  };
  const [a, b] = [await colours(hourly), await colours(daily)];
  const shared = Object.keys(a).filter((label) => label in b && label !== 'other');
  expect(shared.length).toBeGreaterThan(1);
  for (const label of shared) {
    expect(b[label], label).toBe(a[label]);
    // The bars wear the legend's colour.
    await expect(daily.locator(`rect[data-series="${label}"]`).first()).toHaveAttribute('fill', a[label]);
  }
  // Count axes tick at whole numbers.
  for (const tick of await page.locator('svg[data-testid=chart] text.y-tick').all()) {
    expect(Number.isInteger(Number(await tick.getAttribute('data-value')))).toBe(true);
    expect(await tick.textContent()).not.toMatch(/\.\d\d/);
  }
  // The 90-day chart of two days of data starts at its first day with events, and says so.
  await expect(daily.getByTestId('chart-start')).toContainText('the first with events');
  expect(await daily.locator('rect[data-series]').count()).toBeLessThan(40);

  // At 390 px the SVG keeps its proportions and its date labels neither overlap nor shrink.
  await page.setViewportSize({ width: 390, height: 900 });
  const box = await hourly.locator('svg').boundingBox();
  expect(Math.abs(box.width / box.height - 720 / 200)).toBeLessThan(0.05);
  const labels = [];
  for (const label of await hourly.locator('text.x-tick').all()) {
    const bounds = await label.boundingBox();
    if (bounds && bounds.width > 0) labels.push(bounds);
  }
  expect(labels.length).toBeGreaterThan(1);
  labels.sort((l, r) => l.x - r.x);
  for (let i = 1; i < labels.length; i++) {
    expect(labels[i].x, 'labels overlap').toBeGreaterThanOrEqual(labels[i - 1].x + labels[i - 1].width);
  }
  for (const l of labels) expect(l.height).toBeGreaterThanOrEqual(8);
  await page.setViewportSize({ width: 1400, height: 900 });
  await atWidths(page, testInfo, 'event-charts');

  // The latest day's bars (appOpened is sent every hour) are partial: lighter, "so far".
  await page.goto('/t/shopwave/events/appOpened');
  await settle(page, testInfo);
  const days = page.locator('figure.chart:not(.band-chart)').nth(1);
  if (dayPartial) {
    expect(await days.locator('rect[data-partial=true]').count()).toBeGreaterThan(0);
    await expect(days.locator('.legend')).toContainText('so far');
    await expect(days.locator('rect[data-partial=true] title').first()).toContainText('so far');
  } else {
    await expect(days.locator('rect[data-partial=true]')).toHaveCount(0);
  }
});

test('statuses agree: quiet events are not active, say so on their page, conflicts count lines', async ({ page }, testInfo) => {
  // The fixture tenant `shop` sent `retiredBannerShown` in 2026-11-01T00 only and `screen` three
  // days later too (xtask/src/e2e.rs).
  await signIn(page, ADMIN);
  await page.goto('/t/shop/events?status=quiet');
  await settle(page, testInfo);
  const rows = page.locator('[data-testid=events] tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('retiredBannerShown');
  await expect(rows.getByTestId('status')).toHaveText(['quiet']);
  await page.goto('/t/shop/events?status=active');
  await expect(page.locator('[data-testid=events] tbody tr')).toHaveCount(1);
  await expect(page.locator('[data-testid=events] tbody tr').getByTestId('status')).toHaveText(['active']);
  await page.goto('/t/shop/events');
  await expect(page.locator('[data-testid=events] tbody tr').filter({ hasText: 'retiredBannerShown' })
    .getByTestId('status')).toHaveText('quiet');
  await page.goto('/t/shop/events/retiredBannerShown');
  await settle(page, testInfo);
  await expect(page.getByTestId('quiet-banner')).toContainText('Not seen since 2026-11-01T00:00:00Z');
  await atWidths(page, testInfo, 'quiet-event');
  await page.goto('/t/shop/events/screen');
  await expect(page.getByTestId('event-name')).toHaveText('screen');
  await expect(page.getByTestId('quiet-banner')).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, READER);
  // A type conflict reads with counts and versions, not shares.
  await page.goto('/t/shopwave/events/productViewed');
  await settle(page, testInfo);
  const conflict = page.locator('[data-testid=keys] tr.conflict').filter({ hasText: 'price' });
  await expect(conflict).toHaveCount(1);
  const text = await conflict.getByTestId('key-types').textContent();
  expect(text).toMatch(/^\w+ in [\d,]+ lines? \([^)]+\)(, \w+ in [\d,]+ lines? \([^)]+\))+$/);
  expect(text).toContain('string in');
  expect(text).not.toContain('%');

  // The (none) application has events, so its chart never says there are none.
  await page.goto('/t/shopwave/applications');
  await settle(page, testInfo);
  const none = page.locator('[data-testid=application]').filter({ has: page.getByRole('heading', { name: /^\(none\)/ }) });
  await expect(none).toHaveCount(1);
  await expect(none.locator('.chart-empty')).toHaveCount(0);
  await expect(none.locator('svg[data-testid=chart] rect[data-series]').first()).toBeAttached();
  await atWidths(page, testInfo, 'applications-none');
});
