// A session survives a server restart: `before` signs in and saves the browser's cookies; the
// xtask restarts `blueprint serve` on the same database; `after` opens a page with those cookies.
// The xtask runs each phase on its own with --grep.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const { signIn, ADMIN } = require('../tests/helpers');

const storage = (testInfo) => `${process.env.STORAGE_DIR}/${testInfo.project.name}.json`;

test('before restart: sign in', async ({ page, context }, testInfo) => {
  await signIn(page, ADMIN);
  await context.storageState({ path: storage(testInfo) });
});

test('after restart: still signed in', async ({ browser }, testInfo) => {
  expect(fs.existsSync(storage(testInfo))).toBe(true);
  const context = await browser.newContext({
    storageState: storage(testInfo),
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.email);
  await context.close();
});
