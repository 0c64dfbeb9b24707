// Phone widths (issue 17, item 7): signed in as an admin at 390 x 844, no main page is wider than
// the screen, the tenant tabs and the header's links are all on screen, and a time stays on one
// line; with JavaScript and without. Screenshots at 1400 and 390 px of a few pages land in the
// test's output dir (and in $E2E_SCREENSHOTS_DIR, for the README, when it is set).
const { test, expect } = require('@playwright/test');
const { settle, signIn, widthShots, ADMIN } = require('./helpers');

const PAGES = [
  ['tenants', '/'],
  ['overview', '/t/shopwave'],
  ['applications', '/t/shopwave/applications'],
  ['events', '/t/shopwave/events'],
  ['event', '/t/shopwave/events/appOpened'],
  ['screens', '/t/shopwave/screens'],
  ['screen', '/t/shopwave/screens/Wishlist'],
  ['matrix', '/t/shopwave/matrix'],
  ['rollouts', '/t/launchpad/rollouts'],
  ['incidents', '/t/shopwave/incidents'],
  ['compare', '/compare?event=appOpened'],
  ['inbox', '/inbox'],
  ['watches', '/watches'],
  ['account', '/account'],
  ['ingestion', '/admin/ingestion'],
  ['users', '/admin/users'],
  ['tokens', '/admin/tokens'],
  ['notifications', '/admin/notifications'],
  ['audit', '/admin/audit'],
];

// The page's width against the window's, and what sticks out of the window.
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const out = [...document.querySelectorAll('nav.tabs a, .site-header a, .site-header button')]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.left < 0 || box.right > width + 0.5;
      })
      .map((el) => el.textContent.trim());
    const wrapped = [...document.querySelectorAll('time')]
      .filter((el) => el.getClientRects().length > 1)
      .map((el) => el.textContent.trim());
    return { scrollWidth: document.documentElement.scrollWidth, width, out, wrapped };
  });
}

test('at 390 px no page is wider than the screen, and the tabs and times fit', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, ADMIN);
  await page.goto('/t/launchpad/rollouts');
  const report = await page.locator('[data-testid=rollouts] tbody tr a').first().getAttribute('href');
  await page.goto('/t/shopwave/incidents');
  const pages = [...PAGES, ['rollout', report]];
  const incidents = page.locator('main a[href*="/incidents/"]');
  if (await incidents.count()) pages.push(['incident', await incidents.first().getAttribute('href')]);

  await page.setViewportSize({ width: 390, height: 844 });
  const problems = [];
  let timesSeen = 0;
  for (const [name, path] of pages) {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(200);
    await settle(page, testInfo);
    const o = await overflow(page);
    if (o.scrollWidth > o.width) problems.push(`${name}: ${o.scrollWidth} px wide in ${o.width}`);
    if (o.out.length) problems.push(`${name}: off screen ${o.out.join(', ')}`);
    if (o.wrapped.length) problems.push(`${name}: times on several lines ${o.wrapped.join(', ')}`);
    timesSeen += await page.locator('time').count();
    if (path.startsWith('/t/shopwave') && name !== 'screen') {
      await expect(page.locator('nav.tabs a')).toHaveCount(7);
    }
  }
  expect(problems).toEqual([]);
  expect(timesSeen).toBeGreaterThan(20);

  // The first three are the README's (docs/*.png).
  const shots = [['overview', '/t/launchpad', true], ['event', '/t/shopwave/events/appOpened', true],
    ['rollout', report, true], ['rollouts', '/t/launchpad/rollouts', false],
    ['incidents', '/t/shopwave/incidents', false], ['ingestion', '/admin/ingestion', false]];
  for (const [name, path, docs] of shots) {
    await page.goto(path);
    await settle(page, testInfo);
    await widthShots(page, testInfo, name, { docs });
  }
  expect(errors).toEqual([]);
});
