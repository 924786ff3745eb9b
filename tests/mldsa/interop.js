// ML-DSA-65 interoperability with OpenSSL 3.5 (Node 26) and @noble/post-quantum:
// N random messages (CCTSA_TEST_ITERS, default 200) signed by `cctsa mldsa sign` must
// verify under Node's crypto.verify and noble; N signed by Node must verify under
// `cctsa mldsa verify`; every tampered signature must be rejected by both sides.
// Keys cross as PEM SubjectPublicKeyInfo and PKCS#8 in both directions.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const N = Number(process.env.CCTSA_TEST_ITERS || 200);
const cctsa = path.join(process.env.CCTSA_BIN, 'cctsa');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mldsa-interop-'));
const f = (n) => path.join(dir, n);
let failures = 0;

function fail(msg) {
  console.error('FAIL: ' + msg);
  failures++;
}

function run(args) {
  const r = spawnSync(cctsa, ['mldsa', ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

function mustRun(args) {
  const r = run(args);
  if (r.status !== 0) throw new Error(`cctsa mldsa ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r;
}

function randomCase(i) {
  const msg = crypto.randomBytes(crypto.randomInt(0, 2048));
  const ctx = i % 4 === 3 ? crypto.randomBytes(crypto.randomInt(1, 256)) : Buffer.alloc(0);
  return { msg, ctx };
}

function tamper(sig) {
  const t = Buffer.from(sig);
  const bit = crypto.randomInt(0, t.length * 8);
  t[bit >> 3] ^= 1 << (bit & 7);
  return t;
}

function nodeVerify(pub, msg, ctx, sig) {
  const key = ctx.length ? { key: pub, context: ctx } : pub;
  return crypto.verify(null, msg, key, sig);
}

async function main() {
  // ESM import ignores NODE_PATH: resolve the file there explicitly
  const { pathToFileURL } = require('url');
  const noble = path.join(process.env.NODE_PATH, '@noble/post-quantum/ml-dsa.js');
  const { ml_dsa65 } = await import(pathToFileURL(noble).href);

  // 1. our key, our signatures, verified by OpenSSL 3.5 and noble
  mustRun(['keygen', '--pk', f('pk.pem'), '--sk', f('sk.pem'), '--format', 'pem']);
  mustRun(['pubkey', '--sk', f('sk.pem'), '--pk', f('pk.raw'), '--format', 'raw']);
  const ourPub = crypto.createPublicKey(fs.readFileSync(f('pk.pem')));
  const ourPriv = crypto.createPrivateKey(fs.readFileSync(f('sk.pem'))); // our PKCS#8 (seed form)
  if (!crypto.createPublicKey(ourPriv).export({ type: 'spki', format: 'der' })
    .equals(ourPub.export({ type: 'spki', format: 'der' }))) fail('Node derives another public key from our PKCS#8');
  const pkRaw = fs.readFileSync(f('pk.raw'));
  let okOurs = 0, rejOurs = 0, okNoble = 0;
  for (let i = 0; i < N; i++) {
    const { msg, ctx } = randomCase(i);
    fs.writeFileSync(f('m'), msg);
    const args = ['sign', '--sk', f('sk.pem'), '--in', f('m'), '--out', f('s')];
    if (ctx.length) args.push('--ctx', ctx.toString('hex'));
    if (i % 2) args.push('--deterministic');
    mustRun(args);
    const sig = fs.readFileSync(f('s'));
    if (nodeVerify(ourPub, msg, ctx, sig)) okOurs++; else fail(`Node rejects our signature ${i}`);
    if (ml_dsa65.verify(sig, msg, pkRaw, { context: ctx })) okNoble++; else fail(`noble rejects our signature ${i}`);
    const bad = tamper(sig);
    if (!nodeVerify(ourPub, msg, ctx, bad) && !ml_dsa65.verify(bad, msg, pkRaw, { context: ctx })) rejOurs++;
    else fail(`tampered signature ${i} accepted by Node or noble`);
  }

  // 2. Node's key and signatures, verified here
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ml-dsa-65');
  fs.writeFileSync(f('npk.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(f('nsk.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  let okNode = 0, rejNode = 0;
  for (let i = 0; i < N; i++) {
    const { msg, ctx } = randomCase(i);
    const sig = crypto.sign(null, msg, ctx.length ? { key: privateKey, context: ctx } : privateKey);
    fs.writeFileSync(f('m'), msg);
    fs.writeFileSync(f('s'), sig);
    const args = ['verify', '--pk', f('npk.pem'), '--in', f('m'), '--sig', f('s')];
    if (ctx.length) args.push('--ctx', ctx.toString('hex'));
    if (run(args).status === 0) okNode++; else fail(`cctsa rejects Node's signature ${i}`);
    fs.writeFileSync(f('s'), tamper(sig));
    if (run(args).status === 1) rejNode++; else fail(`cctsa accepts tampered Node signature ${i}`);
  }

  // 3. Node's PKCS#8 private key used here; Node verifies
  fs.writeFileSync(f('m'), 'signed here with a key made by OpenSSL');
  mustRun(['sign', '--sk', f('nsk.pem'), '--in', f('m'), '--out', f('s')]);
  if (!crypto.verify(null, fs.readFileSync(f('m')), publicKey, fs.readFileSync(f('s')))) fail('Node rejects a signature made here with its own key');

  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`ours -> OpenSSL 3.5: ${okOurs}/${N} verified, ${rejOurs}/${N} tampered rejected (noble: ${okNoble}/${N} verified)`);
  console.log(`OpenSSL 3.5 -> ours: ${okNode}/${N} verified, ${rejNode}/${N} tampered rejected`);
  if (failures || okOurs !== N || okNode !== N || rejOurs !== N || rejNode !== N || okNoble !== N) process.exit(1);
}

main().catch((e) => { console.error(e); process.exit(1); });
