// Shared helpers: whether this project runs with JavaScript, waiting for hydration, signing in.
const { expect } = require('@playwright/test');

const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-e2e' };
const VIEWER = { email: 'viewer@e2e.test', password: 'viewer-password-e2e' };
// Owner and viewer of the demo tenant `shopwave`.
const OWNER = { email: 'owner@e2e.test', password: 'owner-password-e2e' };
const READER = { email: 'reader@e2e.test', password: 'reader-password-e2e' };

function jsEnabled(testInfo) {
  return testInfo.project.use.javaScriptEnabled !== false;
}

// With JavaScript on, waits until the WASM bundle has hydrated the page; with it off, checks
// that the page was fully rendered on the server and nothing hydrated it.
async function settle(page, testInfo) {
  const app = page.locator('div.app');
  if (jsEnabled(testInfo)) {
    await expect(app).toHaveAttribute('data-hydrated', 'true');
  } else {
    await expect(app).toBeVisible();
    await expect(app).not.toHaveAttribute('data-hydrated', 'true');
  }
}

async function signIn(page, user) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText(user.email);
}

// Saves a full-page screenshot for review under e2e/screenshots/<project>/<name>.png.
async function screenshot(page, testInfo, name) {
  const path = require('path');
  await page.screenshot({
    path: path.join(__dirname, '..', 'screenshots', testInfo.project.name, `${name}.png`),
    fullPage: true,
  });
}

// Screenshots of the page at 1400 and 390 px wide, under the test's output dir (never committed).
// With E2E_SCREENSHOTS_DIR set (an absolute path, e.g. the repository's docs/), the JavaScript-on
// run also writes `<name>.png` there when `docs` is true: the top 1400 x 900 px, for the README.
async function widthShots(page, testInfo, name, { docs = false } = {}) {
  const before = page.viewportSize();
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
  }
  const dir = process.env.E2E_SCREENSHOTS_DIR;
  if (docs && dir && jsEnabled(testInfo)) {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: require('path').join(dir, `${name}.png`) });
  }
  if (before) await page.setViewportSize(before);
}

module.exports = { jsEnabled, settle, signIn, screenshot, widthShots, ADMIN, VIEWER, OWNER, READER };
