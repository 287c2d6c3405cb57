"""Browser tests of the dashboard: Playwright driving Debian's Chromium against the local stack."""
