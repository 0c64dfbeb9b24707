// Shared helpers: whether this project runs with JavaScript, waiting for hydration, signing in.
const { expect } = require('@playwright/test');

const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-e2e' };
const VIEWER = { email: 'viewer@e2e.test', password: 'viewer-password-e2e' };

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

module.exports = { jsEnabled, settle, signIn, ADMIN, VIEWER };
