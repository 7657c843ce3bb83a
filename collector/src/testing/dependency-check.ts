/**
 * The collector's dependency rule, checked over its TypeScript imports (static, dynamic, re-exports
 * and `import type` alike): every import points down a layer, and no files or modules import each
 * other in a circle. `architecture.test.ts` runs it over `src/` in `npm test`; `npm run check:deps`
 * runs only that. A violation names the import chain that breaks the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

export interface Layer {
  name: string;
  /** Path prefixes under the source root: a folder ends in `/`, a file is named whole. */
  modules: string[];
  /** Layers this one may import from (besides its own modules). */
  mayImport: string[];
  /** Whether a module of this layer may import another module of the same layer. */
  siblings: boolean;
}

/** file → the files it imports, as paths relative to the source root with `/` separators. */
export type ImportGraph = Map<string, string[]>;

export interface Violation {
  kind: 'upward' | 'test-support' | 'unknown-module' | 'file-cycle' | 'module-cycle';
  /** The files (or, for a module cycle, the modules) of the offending chain, in import order. */
  chain: string[];
  message: string;
}

/**
 * Top to bottom. `api → features → store port and model ← adapters`, the wire contract
 * (`@casefile/contract`, a package of its own) and `errors/` at the bottom. Only the store factory
 * loads an adapter; nothing but the entry points imports `api/`.
 */
export const COLLECTOR_LAYERS: readonly Layer[] = [
  {
    name: 'entry',
    modules: ['cli.ts', 'cli/', 'server.ts', 'index.ts', 'demo/', 'startup/'],
    mayImport: ['api', 'features', 'factory', 'port', 'model', 'base'],
    siblings: true,
  },
  { name: 'api', modules: ['api/'], mayImport: ['features', 'port', 'model', 'base'], siblings: false },
  {
    name: 'features',
    modules: [
      'alerts/',
      'auth/',
      'config/',
      'detect/',
      'drift/',
      'evidence/',
      'ingest/',
      'metrics/',
      'normalize/',
      'otlp/',
      'query/',
      'redaction.ts',
    ],
    mayImport: ['port', 'model', 'base'],
    siblings: true,
  },
  {
    name: 'factory',
    modules: ['store/create-store.ts'],
    mayImport: ['adapters', 'port', 'model', 'base'],
    siblings: false,
  },
  {
    name: 'adapters',
    modules: ['store/duckdb/', 'store/clickhouse/'],
    mayImport: ['port', 'model', 'base'],
    siblings: false,
  },
  { name: 'port', modules: ['store/'], mayImport: ['model', 'base'], siblings: false },
  { name: 'model', modules: ['model/'], mayImport: ['base'], siblings: false },
  { name: 'base', modules: ['errors/', 'log/', 'random/', 'turns/'], mayImport: [], siblings: false },
];

/** Sources that are not part of the build (tests, shared suites, test support) are left out, as in tsconfig. */
export function isCheckedSource(path: string): boolean {
  return (
    path.endsWith('.ts') &&
    !path.endsWith('.d.ts') &&
    !path.endsWith('.test.ts') &&
    !path.endsWith('.suite.ts') &&
    !path.endsWith('.fixtures.ts') &&
    !path.startsWith('testing/')
  );
}

/**
 * Reads the relative imports of every checked `.ts` file under `root`. Its imports of sources that are not
 * checked (test support) stay in the graph, so `checkDependencies` can refuse them.
 */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const file = toPosix(relative(root, full));
        if (isCheckedSource(file)) graph.set(file, importsOf(file, readFileSync(full, 'utf8')));
      }
    }
  };
  walk(root);
  return graph;
}

/** The files a module's source imports, relative to the source root (`../x.js` → `x.ts`). */
export function importsOf(file: string, source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  const targets = new Set<string>();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue; // packages: the contract, the SDK, Node, libraries
    targets.add(toPosix(normalize(join(dirname(file), fileName.replace(/\.js$/, '.ts')))));
  }
  return [...targets];
}

export function checkDependencies(graph: ImportGraph, layers: readonly Layer[] = COLLECTOR_LAYERS): Violation[] {
  const violations: Violation[] = [];
  const place = (file: string) => placeOf(file, layers);
  for (const [from, targets] of graph) {
    const a = place(from);
    if (!a) {
      violations.push({
        kind: 'unknown-module',
        chain: [from],
        message: `${from} belongs to no layer: add its folder to a layer in testing/dependency-check.ts`,
      });
      continue;
    }
    for (const to of targets) {
      // The build leaves test support out; a built file that imports it would compile it in anyway.
      if (!isCheckedSource(to) && to.endsWith('.ts')) {
        violations.push({
          kind: 'test-support',
          chain: [from, to],
          message: `${from} imports ${to}, which is test support (tests, suites, fixtures, testing/): built code may not`,
        });
        continue;
      }
      const b = place(to);
      if (!b || a.module === b.module) continue;
      const allowed = a.layer.mayImport.includes(b.layer.name) || (a.layer.name === b.layer.name && a.layer.siblings);
      if (!allowed) {
        violations.push({
          kind: 'upward',
          chain: [from, to],
          message: `${from} (${a.layer.name}) imports ${to} (${b.layer.name}): ${a.layer.name} may import only ${describe(a.layer)}`,
        });
      }
    }
  }
  for (const cycle of cyclesOf(graph)) {
    violations.push({ kind: 'file-cycle', chain: cycle, message: `import cycle: ${cycle.join(' → ')}` });
  }
  const moduleGraph = new Map<string, string[]>();
  const witness = new Map<string, string>();
  for (const [from, targets] of graph) {
    const a = place(from)?.module;
    if (a === undefined) continue;
    const edges = moduleGraph.get(a) ?? [];
    moduleGraph.set(a, edges);
    for (const to of targets) {
      const b = place(to)?.module;
      if (b === undefined || b === a) continue;
      if (!edges.includes(b)) edges.push(b);
      if (!witness.has(`${a}\0${b}`)) witness.set(`${a}\0${b}`, `${from} → ${to}`);
    }
  }
  for (const cycle of cyclesOf(moduleGraph)) {
    const via = cycle.slice(1).map((m, i) => witness.get(`${cycle[i]}\0${m}`));
    violations.push({
      kind: 'module-cycle',
      chain: cycle,
      message: `module cycle: ${cycle.join(' → ')} (${via.join(', ')})`,
    });
  }
  return violations;
}

interface Place {
  layer: Layer;
  /** The most specific prefix the file falls under: its module. */
  module: string;
}

function placeOf(file: string, layers: readonly Layer[]): Place | undefined {
  let best: Place | undefined;
  for (const layer of layers) {
    for (const prefix of layer.modules) {
      const match = prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix;
      if (match && (!best || prefix.length > best.module.length)) best = { layer, module: prefix };
    }
  }
  return best;
}

function describe(layer: Layer): string {
  if (layer.mayImport.length === 0) return 'within its own module';
  const others = layer.mayImport.join(', ');
  return layer.siblings ? `its own layer and ${others}` : `${others} (and within its own module)`;
}

/** One cycle per strongly connected component (Tarjan), as a closed chain `a → b → … → a`. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => closedPath(graph, new Set(component)));
}

/** A shortest path from the component's first node (in sorted order) back to itself. */
function closedPath(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u) as string) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
