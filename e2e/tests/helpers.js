// Shared helpers: whether this project runs with JavaScript, and waiting for hydration.
const { expect } = require('@playwright/test');

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

module.exports = { jsEnabled, settle };
