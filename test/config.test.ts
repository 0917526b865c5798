// The configuration: defaults, every documented variable in .env.example, and .env.example itself valid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const root = join(import.meta.dirname, '..');

describe('configuration', () => {
  it('runs on defaults alone', () => {
    const c = parseConfig({});
    expect(c.storeUrl).toBe('sqlite://data/bot.sqlite');
    expect(c.poll.cron).toBe('*/10 * * * *');
    expect(c.pruneCron).toBe('17 3 * * *');
    expect(c.digest).toEqual({ time: '08:00', timezone: 'Asia/Shanghai' });
    expect(c.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(c.port).toBe(8080);
    expect(c.fetch.maxBytes).toBe(5 * 1024 * 1024);
  });

  it('accepts a six-field cron and a list of allowed private hosts', () => {
    const c = parseConfig({ POLL_CRON: '*/30 * * * * *', FETCH_ALLOW_PRIVATE: 'localhost:1200, 10.0.0.0/8,rsshub.lan' });
    expect(c.poll.cron).toBe('*/30 * * * * *');
    expect([...c.fetch.allowPrivate.hostPorts]).toEqual(['localhost:1200']);
    expect(c.fetch.allowPrivate.cidrs).toHaveLength(1);
  });

  it('takes the prune\'s own hour, and says what a bad one should look like', () => {
    expect(parseConfig({ PRUNE_CRON: '30 4 * * *' }).pruneCron).toBe('30 4 * * *');
    expect(() => parseConfig({ PRUNE_CRON: 'at night' })).toThrow(/PRUNE_CRON: expected a cron expression of 5 or 6 fields, like 17 3/);
  });

  it('.env.example is valid and lists every variable of INTERFACE.md and the README', () => {
    const example = parseEnv(readFileSync(join(root, '.env.example'), 'utf8'));
    expect(() => parseConfig(example)).not.toThrow();
    const readmeVars = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(readmeVars.length).toBeGreaterThan(20);
    expect(Object.keys(example).sort()).toEqual([...new Set(readmeVars)].sort());
  });
});
