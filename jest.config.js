// Two projects: Node tests of the wasm modules and JS API, and browser tests in Chromium.
export default {
  projects: [
    { displayName: 'node', testEnvironment: 'node', transform: {}, testMatch: ['<rootDir>/js-tests/*.test.js'] },
    { displayName: 'browser', testEnvironment: 'node', transform: {}, testMatch: ['<rootDir>/js-tests/browser/*.test.js'] },
  ],
  testTimeout: 120000,
};
