// Helpers for browser tests: a real `parley serve` on a free port with its own data directory, the `parley`
// command line against the same data, a small HTTP client for the API, and Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const artifacts = join(root, 'tests', 'browser', 'artifacts');
mkdirSync(artifacts, { recursive: true });
const bin = process.env.PARLEY_BIN || join(root, 'target', 'debug', 'parley');

export async function startParley(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-browser-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--smtp-listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`parley exited with ${code}`)));
    lines.on('line', (line) => {
      const m = line.match(/^Parley is listening on http:\/\/[\d.]+:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  const cli = (...args) => execFileSync(bin, ['--data-dir', dataDir, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return {
    port,
    dataDir,
    cli,
    url: (slug, path) => `http://${slug}.localhost:${port}${path}`,
    /** Create an account; returns what `account create --json` prints. */
    account: (slug, region = 'eu') => JSON.parse(cli('account', 'create', '--slug', slug, '--region', region, '--owner-email', `owner@${slug}.example`, '--json')),
    /** Call the API as the account (Node's resolver does not know *.localhost, so the Host header names it). */
    api: (slug, key, method, path, body) => new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port, method, path: `/api/v1${path}`,
        headers: { Host: `${slug}.localhost:${port}`, Authorization: `Bearer ${key}`, ...(data ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    }),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A page of another origin (its own server on 127.0.0.1) that embeds the widget. The host's own styles try hard
 * to reach into the widget; the Shadow DOM keeps them out. */
export function hostPage(widgetUrl, scriptAttributes = '') {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    // The host's own styles try hard to reach into the widget; the Shadow DOM keeps them out.
    res.end(`<!doctype html><html lang="en"><head><title>Shop</title>
      <style>* { color: red !important; font-size: 40px !important; } button { display: none !important; }</style>
      </head><body><h1>A shop somewhere else</h1>
      <script src="${widgetUrl}" ${scriptAttributes} async></script></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
