// tests/build/e2e/floats.mjs GEN_DIR: a module with f64/f32 fields loads in
// Node (it imports nothing), and toJSON gives back the exact values.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import fs from 'node:fs';

const dir = process.argv[2];
const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'floats.wasm')));
assert.deepEqual(WebAssembly.Module.imports(wasm).filter((i) => i.module === 'wasi_snapshot_preview1'), []);
const { loadFile, SensorReading } = await import(pathToFileURL(path.join(dir, 'floats.js')).href);
await loadFile();
const a = new SensorReading(1n);
for (const v of [21.5, -0.1, 1e-7, 123456.789, Number.MAX_VALUE, 5e-324, 2 ** 60 + 0.5]) {
  a.celsius.set(v);
  assert.equal(a.toJSON().celsius, v);
  assert.equal(SensorReading.load(a.save(), 2n).toJSON().celsius, v);
}
assert.equal(a.toJSON().gain, 0.5);
console.log('ok   floats load in Node and print exactly');
