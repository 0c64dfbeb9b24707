// Browser tests against a running `blueprint serve` (started by `cargo xtask test`, which sets
// BLUEPRINT_BASE_URL). Every spec runs twice: with JavaScript on (hydrated) and off (server-rendered).
const { defineConfig } = require('@playwright/test');

const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const launchOptions = {
  executablePath: chromium,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

module.exports = defineConfig({
  // `cargo xtask test` runs ./tests, then ./restart in two phases around a server restart.
  testDir: process.env.E2E_DIR || './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.BLUEPRINT_BASE_URL || 'http://127.0.0.1:3000',
    launchOptions,
    trace: 'off',
  },
  projects: [
    { name: 'js-on', use: { javaScriptEnabled: true } },
    { name: 'js-off', use: { javaScriptEnabled: false } },
  ],
});
