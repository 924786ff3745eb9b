// Verifies every signature written by `cctsa tmldsa selftest` with OpenSSL 3.5
// (Node 26 crypto.verify), and checks that a changed signature or message fails.
// Usage: node interop.mjs DIR EXPECTED_COUNT
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [dir, expected] = process.argv.slice(2);
const raw = readFileSync(join(dir, 'pk.bin'));
if (raw.length !== 1952) throw new Error(`pk.bin has ${raw.length} bytes`);
// SPKI for id-ml-dsa-65 (2.16.840.1.101.3.4.3.18): SEQ(1970) { SEQ(11) { OID }, BIT STRING(1953) }
const hdr = Buffer.from('308207b2300b0609608648016503040312038207a100', 'hex');
const key = createPublicKey({ key: Buffer.concat([hdr, raw]), format: 'der', type: 'spki' });
if (key.asymmetricKeyType !== 'ml-dsa-65') throw new Error(`key type ${key.asymmetricKeyType}`);

let ok = 0, bad = 0;
const sigs = readdirSync(dir).filter((f) => /^sig-[0-4]{3}-\d+\.bin$/.test(f)).sort();
for (const f of sigs) {
  const sig = readFileSync(join(dir, f));
  const msg = readFileSync(join(dir, f.replace(/^sig-/, 'msg-')));
  if (verify(null, msg, key, sig)) ok++; else { bad++; console.error(`FAIL ${f}`); }
  const sig2 = Buffer.from(sig); sig2[100] ^= 1;
  const msg2 = Buffer.concat([msg, Buffer.from([0])]);
  if (verify(null, msg, key, sig2) || verify(null, msg2, key, sig)) {
    bad++; console.error(`tampered ${f} verified`);
  }
}
const sets = new Set(sigs.map((f) => f.slice(4, 7)));
console.log(`OpenSSL 3.5 (${process.versions.openssl}): ${ok}/${sigs.length} threshold signatures verify, ` +
  `${sets.size} signing sets; tampered copies rejected`);
if (bad !== 0 || ok !== Number(expected) || sets.size !== 10) process.exit(1);
