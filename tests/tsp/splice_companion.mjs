// Test helper: node splice_companion.mjs A.tsr B.tsr OUT.tsr
// Writes A with its companion token replaced by B's (only when both have the same
// length, so no length octet changes; exit 3 otherwise). The outer signature of A
// stays valid (unsigned attributes are not signed) and B's companion is valid on
// its own, but it carries a different TSTInfo: a verifier must notice.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const pkijs = require('pkijs');

function companion(buf) {
  const resp = pkijs.TimeStampResp.fromBER(buf);
  const sd = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  const v = sd.signerInfos[0].unsignedAttrs.attributes[0].values[0].valueBeforeDecodeView;
  return { offset: v.byteOffset - buf.byteOffset, bytes: Buffer.from(v) };
}

const [a, b, out] = process.argv.slice(2);
const A = new Uint8Array(fs.readFileSync(a));
const B = new Uint8Array(fs.readFileSync(b));
const ca = companion(A), cb = companion(B);
if (ca.bytes.length !== cb.bytes.length) process.exit(3);
if (ca.bytes.equals(cb.bytes)) { console.error('companions are identical'); process.exit(1); }
const O = Buffer.from(A);
cb.bytes.copy(O, ca.offset);
fs.writeFileSync(out, O);
