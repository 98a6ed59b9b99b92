/**
 * A model of JSON *text*, not of JSON values: it can say what `JSON.stringify` cannot (duplicate keys,
 * `1e309`, `-0`, escaped key spellings) and keeps huge or deep values small (`big`, `deep`), so that
 * fast-check prints and shrinks them cheaply. Nodes are never mutated: every helper returns a new node,
 * because fast-check reuses generated values while it shrinks.
 */

export type Node =
  /** A token written as is: a number (`1e309`, `-0`), `true`, `false`, `null`. */
  | { k: 'raw'; text: string }
  /** A string; `esc` writes every UTF-16 unit as `\uXXXX` (lower- or upper-case hex). */
  | { k: 'str'; value: string; esc?: Escape }
  /** A string of `unit` repeated `count` times. */
  | { k: 'big'; unit: string; count: number }
  | { k: 'arr'; items: Node[] }
  /** An object; a key may appear more than once (the last one wins in JSON.parse). */
  | { k: 'obj'; entries: Entry[] }
  /** `depth` nested arrays (`[[[leaf]]]`) or objects (`{"a":{"a":leaf}}`). */
  | { k: 'deep'; depth: number; shape: 'arr' | 'obj'; leaf: Node };

export type Escape = 'lower' | 'upper';

export interface Entry {
  key: string;
  /** Writes the key with every UTF-16 unit as `\uXXXX`, e.g. `"\u005f\u005fproto\u005f\u005f"`. */
  esc?: Escape;
  value: Node;
}

export type Obj = Extract<Node, { k: 'obj' }>;

export const raw = (text: string): Node => ({ k: 'raw', text });
export const str = (value: string, esc?: Escape): Node =>
  esc ? { k: 'str', value, esc } : { k: 'str', value };
export const big = (unit: string, count: number): Node => ({ k: 'big', unit, count });
export const arr = (items: Node[]): Node => ({ k: 'arr', items });
export const obj = (entries: Entry[]): Obj => ({ k: 'obj', entries });
export const deep = (depth: number, shape: 'arr' | 'obj', leaf: Node): Node => ({
  k: 'deep',
  depth,
  shape,
  leaf,
});

/** A JSON-compatible JavaScript value as a node. */
export function fromValue(value: unknown): Node {
  if (value === null || typeof value === 'boolean' || typeof value === 'number')
    return raw(JSON.stringify(value));
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) return arr(value.map(fromValue));
  if (typeof value === 'object') {
    return obj(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: fromValue(v) })),
    );
  }
  throw new Error(`not a JSON value: ${String(value)}`);
}

/** A JSON object as an object node. */
export function objectOf(value: Record<string, unknown>): Obj {
  const node = fromValue(value);
  if (node.k !== 'obj') throw new Error('not an object');
  return node;
}

const escapeAll = (s: string, esc: Escape) =>
  `"${Array.from({ length: s.length }, (_, i) => {
    const hex = s.charCodeAt(i).toString(16).padStart(4, '0');
    return `\\u${esc === 'upper' ? hex.toUpperCase() : hex}`;
  }).join('')}"`;

/** The JSON text of a node; `ws` goes after every `:` and `,` (valid JSON whitespace or ''). */
export function serialize(node: Node, ws = ''): string {
  const out: string[] = [];
  const write = (n: Node): void => {
    switch (n.k) {
      case 'raw':
        out.push(n.text);
        return;
      case 'str':
        // JSON.stringify escapes lone surrogates (well-formed JSON.stringify), so the text stays valid UTF-8.
        out.push(n.esc ? escapeAll(n.value, n.esc) : JSON.stringify(n.value));
        return;
      case 'big':
        out.push(JSON.stringify(n.unit.repeat(n.count)));
        return;
      case 'arr':
        out.push('[');
        n.items.forEach((item, i) => {
          if (i > 0) out.push(`,${ws}`);
          write(item);
        });
        out.push(']');
        return;
      case 'obj':
        out.push('{');
        n.entries.forEach((e, i) => {
          if (i > 0) out.push(`,${ws}`);
          out.push(e.esc ? escapeAll(e.key, e.esc) : JSON.stringify(e.key), `:${ws}`);
          write(e.value);
        });
        out.push('}');
        return;
      case 'deep':
        out.push(n.shape === 'arr' ? '['.repeat(n.depth) : `{"a":${ws}`.repeat(n.depth));
        write(n.leaf);
        out.push((n.shape === 'arr' ? ']' : '}').repeat(n.depth));
        return;
    }
  };
  write(node);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Object helpers (all return new nodes)

/** The value JSON.parse would keep for `key`: the last entry's. */
export const field = (o: Obj, key: string): Node | undefined =>
  o.entries.findLast((e) => e.key === key)?.value;

/** Every entry of `key` removed, then one appended with `value`. */
export const setField = (o: Obj, key: string, value: Node, esc?: Escape): Obj =>
  obj([...o.entries.filter((e) => e.key !== key), esc ? { key, value, esc } : { key, value }]);

export const removeField = (o: Obj, key: string): Obj => obj(o.entries.filter((e) => e.key !== key));

/** Adds an entry for a key already present, *before* its last entry, so the parsed value does not change. */
export function duplicateEarlier(o: Obj, key: string, value: Node): Obj {
  const last = o.entries.findLastIndex((e) => e.key === key);
  if (last < 0) return o;
  return obj([...o.entries.slice(0, last), { key, value }, ...o.entries.slice(last)]);
}

/** Applies `fn` to the object held at `key` (when it is an object node). */
export function updateObject(o: Obj, key: string, fn: (inner: Obj) => Obj): Obj {
  const inner = field(o, key);
  if (inner?.k !== 'obj') return o;
  const last = o.entries.findLastIndex((e) => e.key === key);
  return obj(o.entries.map((e, i) => (i === last ? { ...e, value: fn(inner) } : e)));
}

// ---------------------------------------------------------------------------------------------
// Changes, as data so that a fast-check counterexample says what was done

export type Change =
  | { op: 'set'; path: string[]; value: Node; esc?: Escape; why: string }
  | { op: 'remove'; path: string[]; why: string }
  | { op: 'dup'; path: string[]; value: Node; why: string }
  | { op: 'root'; how: 'array' | 'string' | 'replace'; value?: Node; why: string };

function atPath(o: Obj, parents: readonly string[], fn: (inner: Obj) => Obj): Obj {
  if (parents.length === 0) return fn(o);
  const [head, ...rest] = parents as [string, ...string[]];
  return updateObject(o, head, (inner) => atPath(inner, rest, fn));
}

export function apply(body: Node, change: Change): Node {
  if (change.op === 'root') {
    if (change.how === 'array') return arr([body]);
    if (change.how === 'string') return str(serialize(body));
    return change.value ?? raw('null');
  }
  if (body.k !== 'obj') return body;
  const parents = change.path.slice(0, -1);
  const key = change.path[change.path.length - 1] ?? '';
  return atPath(body, parents, (o) => {
    if (change.op === 'set') return setField(o, key, change.value, change.esc);
    if (change.op === 'remove') return removeField(o, key);
    return duplicateEarlier(o, key, change.value);
  });
}
