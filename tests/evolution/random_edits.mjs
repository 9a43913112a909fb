// tests/evolution/random_edits.mjs: reproducible random edits on any
// generated document, through its FIELDS tables (recursively into nested
// objects). Shared by the golden generator and the mixed-version test.

// A generator of numbers in [0, 1) from a seed (mulberry32).
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['hello', 'Zoë', '👍', 'two words', 'longer text here'];

export function editor(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[int(xs.length)];
  function value(t) {
    if (Array.isArray(t)) {
      if (t[0] === 'enum') return pick(t[1]);
      if (t[0] === 'option') return rand() < 0.3 ? undefined : value(t[1]);
      if (t[0] === 'list') return [value(t[1])];
      if (t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, value(ft)]));
    }
    switch (t) {
      case 'bool': return rand() < 0.5;
      case 's8': case 's16': case 's32': return int(200) - 100;
      case 'u8': case 'u16': case 'u32': return int(200);
      case 's64': return BigInt(int(2000) - 1000);
      case 'u64': return BigInt(int(2000));
      case 'f32': case 'f64': return int(1000) / 8;
      case 'string': return pick(WORDS) + String(int(100));
      case 'bytes': return Uint8Array.from({ length: 3 }, () => int(256));
    }
    throw new Error('no generator for ' + JSON.stringify(t));
  }
  const amount = (t) => (t === 's64' || t === 'u64' ? BigInt(1 + int(5)) : 1 + int(5));
  // One random edit of `view` (a document or a nested object). Operations
  // refused by bounds or constraints throw an Error: that is fine here.
  function edit(view, depth = 0) {
    const info = pick(view.constructor.FIELDS);
    if (!info) return;
    const f = view[info.member];
    try {
      switch (info.kind) {
        case 'Register': case 'MvRegister': f.set(value(info.value)); break;
        case 'OrSet': { const vs = f.values(); if (vs.length && rand() < 0.3) f.remove(pick(vs)); else f.add(value(info.value)); break; }
        case 'OrMap': { const ks = f.keys(); if (ks.length && rand() < 0.2) f.delete(pick(ks)); else f.set(value(info.key), value(info.value)); break; }
        case 'ObjectMap': { const ks = f.keys(); if (ks.length && rand() < 0.6 && depth < 2) edit(f.get(pick(ks)), depth + 1); else f.set(value(info.key)); break; }
        case 'Counter': if (rand() < 0.7) f.increment(amount(info.value)); else f.decrement(amount(info.value)); break;
        case 'List': { const n = f.length(); if (n && rand() < 0.2) f.delete(int(n), 1); else if (n > 1 && rand() < 0.2) f.move(int(n), int(n)); else f.insert(int(n + 1), value(info.value)); break; }
        case 'ObjectList': { const n = f.length(); if (n && rand() < 0.6 && depth < 2) edit(f.get(int(n)), depth + 1); else f.insert(int(n + 1), {}); break; }
        case 'Text': { const n = f.length(); if (n > 2 && rand() < 0.2) f.delete(int(n - 1), 1); else if (n > 2 && rand() < 0.3) f.mark(0, 1 + int(n - 1), 'bold', 'true'); else f.insert(int(n + 1), pick(WORDS)); break; }
        case 'Nested': if (depth < 2) edit(f, depth + 1); break;
      }
    } catch (e) {
      if (!(e instanceof Error) || e instanceof TypeError) throw e;
    }
  }
  return { edit, int, pick };
}
