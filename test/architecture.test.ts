/**
 * The layers of docs/architecture.md, checked on the source: no import circles (type-only imports count), and
 * each folder imports only what its row of the code map says. A new file that breaks a rule fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/: the sources are two folders up.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import and re-export of a file, static or dynamic, as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)];
  return found.map((m) => relative(SRC, resolve(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'))));
}

const graph = new Map(sourceFiles(SRC).map((file) => [relative(SRC, file), importsOf(file)]));
const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path);

test('the source has files and imports to check', () => {
  assert.ok(graph.size > 100);
  assert.ok(graph.get('gateway.ts')!.length > 3);
});

test('no import circles between files', () => {
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(circles.map((circle) => circle.join(' → ')), []);
});

/** Per folder, the folders it must never import (docs/architecture.md, Layers). */
const FORBIDDEN: Record<string, string[]> = {
  // The rules import nothing else of the gateway.
  domain: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config', 'smpp', 'sip', 'media', 'voice', 'whatsapp', 'vk'],
  // Protocol code knows nothing of the gateway's policy (connectors/connector.ts, folder rule).
  smpp: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  sip: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  media: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  voice: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  whatsapp: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  vk: ['service', 'http', 'store', 'engine', 'connectors', 'callbacks', 'delivery', 'cli', 'config'],
  // The store port speaks the domain's language, not a door's or a connector's.
  store: ['service', 'http', 'engine', 'connectors', 'callbacks', 'delivery', 'cli'],
  service: ['http', 'engine', 'connectors', 'cli'],
  http: ['engine', 'connectors', 'delivery', 'cli'],
  engine: ['http', 'cli'],
  connectors: ['http', 'store', 'engine', 'cli'],
  callbacks: ['http', 'engine', 'connectors', 'cli'],
};

test('each folder imports only the layers below it', () => {
  const broken: string[] = [];
  for (const [file, imports] of graph) {
    const forbidden = FORBIDDEN[folderOf(file)] ?? [];
    for (const target of imports) if (forbidden.includes(folderOf(target))) broken.push(`${file} imports ${target}`);
  }
  assert.deepEqual(broken, []);
});
