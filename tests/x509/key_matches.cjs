// node key_matches.cjs KEY.pem CERT.pem: Node (OpenSSL 3.5) loads the PKCS#8 key,
// signs with it, and the signature verifies under the certificate's public key
// (and not under a changed message). Exit 0 only then.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');

const [keyPath, certPath] = process.argv.slice(2);
const key = crypto.createPrivateKey(fs.readFileSync(keyPath));
const cert = new crypto.X509Certificate(fs.readFileSync(certPath));
const msg = Buffer.from('cctsa key check');
const alg = key.asymmetricKeyType === 'ec' ? 'sha384' : null;
const sig = crypto.sign(alg, msg, key);
if (!crypto.verify(alg, msg, cert.publicKey, sig)) {
  console.error(`key_matches: FAIL: ${keyPath} does not match ${certPath}`);
  process.exit(1);
}
if (crypto.verify(alg, Buffer.from('other'), cert.publicKey, sig)) {
  console.error('key_matches: FAIL: verification accepted another message');
  process.exit(1);
}
console.log(`${keyPath} (${key.asymmetricKeyType}) matches ${certPath}`);
