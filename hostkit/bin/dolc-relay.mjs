#!/usr/bin/env node
// hostkit/bin/dolc-relay.mjs: starts a relay (relay/server.js) from the command line.
//
//   node hostkit/bin/dolc-relay.mjs --dir /var/lib/dolc-relay --port 8787 --secret-file relay.secret
//   node hostkit/bin/dolc-relay.mjs --redis redis://127.0.0.1:6379 --port 8788 --secret-file relay.secret
//
// With --redis, several relays share documents (run Redis with
// --appendonly yes --appendfsync always so an ACK means the change is on disk).
// Access: --secret-file (tokens from issueToken() in hostkit/node.js), or the
// DOLC_RELAY_SECRET environment variable, or --open (no access control: local
// use and tests only). Prints "listening ws://HOST:PORT" once ready; SIGINT or
// SIGTERM shuts it down gracefully (every acknowledged change is on disk).
import fs from 'node:fs';
import { startRelay, RELAY_DEFAULTS } from '../relay/server.js';

const usage = `usage: dolc-relay (--dir DIR | --redis URL) [--host H] [--port P] (--secret-file F | --open)
         [--max-message-bytes N] [--max-doc-bytes N] [--messages-per-second N]
         [--bytes-per-second N] [--no-fsync]
  env DOLC_RELAY_SECRET replaces --secret-file`;
const args = process.argv.slice(2);
const opts = {};
const numeric = { '--port': 'port', '--max-message-bytes': 'maxMessageBytes', '--max-doc-bytes': 'maxDocBytes',
                  '--messages-per-second': 'messagesPerSecond', '--bytes-per-second': 'bytesPerSecond' };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => { if (i + 1 >= args.length) fail(`${a} needs a value`); return args[++i]; };
  if (a === '--dir') opts.dir = value();
  else if (a === '--redis') opts.redis = value();
  else if (a === '--host') opts.host = value();
  else if (a === '--secret-file') opts.secret = fs.readFileSync(value(), 'utf8').trim();
  else if (a === '--open') opts.open = true;
  else if (a === '--no-fsync') opts.fsync = false;
  else if (numeric[a]) {
    const n = Number(value());
    if (!Number.isSafeInteger(n) || n < 0) fail(`${a} takes a non-negative integer`);
    opts[numeric[a]] = n;
  } else if (a === '--help' || a === '-h') { console.log(usage); process.exit(0); }
  else fail(`unknown option ${a}`);
}
function fail(msg) { console.error(`dolc-relay: ${msg}\n${usage}`); process.exit(2); }
if (!opts.dir === !opts.redis) fail('give one of --dir and --redis');
if (!opts.secret && process.env.DOLC_RELAY_SECRET) opts.secret = process.env.DOLC_RELAY_SECRET;
if (!opts.secret && !opts.open) fail('give --secret-file, DOLC_RELAY_SECRET or --open');
if (opts.secret && opts.secret.length < 16) fail('the secret must be at least 16 characters');

const relay = await startRelay({ ...opts, log: console });
console.log(`listening ${relay.url}`);
console.log(`limits: message ${opts.maxMessageBytes ?? RELAY_DEFAULTS.maxMessageBytes} B, document ${opts.maxDocBytes ?? RELAY_DEFAULTS.maxDocBytes} B, ` +
            `${opts.messagesPerSecond ?? RELAY_DEFAULTS.messagesPerSecond} msg/s per connection${opts.open ? ', OPEN (no access control)' : ''}`);
let stopping = false;
const stop = async (sig) => {
  if (stopping) return;
  stopping = true;
  console.log(`${sig}: shutting down`);
  await relay.close();
  console.log(`stopped (${JSON.stringify(relay.stats())})`);
  process.exit(0);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
