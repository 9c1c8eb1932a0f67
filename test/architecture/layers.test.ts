import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';

/*
 * The house rules of docs/design: core never imports vscode; core and cli never
 * import protocol/ (shared words live in core/vocabulary); no cycle between
 * the folders of src/core, so each layer can be read and tested from the bottom up.
 */
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/** Every module a file imports (static, dynamic and type-only), resolved to a path under src/ or left as a package name. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.map((s) => (s.startsWith('.') ? resolve(dirname(file), s) : s));
}

const folderOf = (path: string): string | undefined => {
  const rel = relative(join(SRC, 'core'), path);
  return rel.startsWith('..') ? undefined : rel.split('/')[0]!.replace(/\.ts$/, '');
};

test('core never imports vscode; core and cli never import protocol/', () => {
  const offences = [...files(join(SRC, 'core')), ...files(join(SRC, 'cli'))].flatMap((file) =>
    imports(file)
      .filter((spec) => spec === 'vscode' || spec.startsWith(join(SRC, 'protocol')))
      .map((spec) => `${relative(ROOT, file)} imports ${spec.startsWith('/') ? relative(ROOT, spec) : spec}`),
  );
  assert.deepEqual(offences, []);
});

test('no cycle between the folders of src/core', () => {
  const edges = new Map<string, Set<string>>();
  const witness = new Map<string, string>();
  for (const file of files(join(SRC, 'core'))) {
    const from = folderOf(file)!;
    for (const spec of imports(file)) {
      const to = spec.startsWith('/') ? folderOf(spec) : undefined;
      if (!to || to === from) continue;
      (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      witness.set(`${from}>${to}`, relative(SRC, file));
    }
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), node, next];
        cycles.push(
          cycle
            .slice(1)
            .map((to, i) => `${cycle[i]} → ${to} (${witness.get(`${cycle[i]}>${to}`)})`)
            .join(', '),
        );
      } else if (!state.has(next)) visit(next, [...path, node]);
    }
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  assert.deepEqual(cycles, []);
});
