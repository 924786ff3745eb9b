// Independent check of a certificate chain with Node's OpenSSL 3.5 (ML-DSA aware)
// and pkijs: node verify_chain.cjs ROOT.pem LEAF.pem [--tsa]
// Exits 0 only if the root verifies itself, the leaf verifies under the root's key,
// pkijs parses both, and (with --tsa) the leaf carries a critical EKU of
// id-kp-timeStamping only, critical keyUsage, certificatePolicies and the binding
// extension 1.3.6.1.4.1.32473.1.1.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const asn1js = require('asn1js');
const pkijs = require('pkijs');

const [rootPath, leafPath, flag] = process.argv.slice(2);
const fail = (m) => { console.error(`verify_chain: FAIL: ${m}`); process.exit(1); };
if (!rootPath || !leafPath) fail('usage: ROOT.pem LEAF.pem [--tsa]');

const rootPem = fs.readFileSync(rootPath, 'utf8');
const leafPem = fs.readFileSync(leafPath, 'utf8');
const root = new crypto.X509Certificate(rootPem);
const leaf = new crypto.X509Certificate(leafPem);
if (!root.verify(root.publicKey)) fail(`${rootPath}: root self-signature does not verify`);
if (!leaf.verify(root.publicKey)) fail(`${leafPath}: signature does not verify under ${rootPath}`);
if (!leaf.checkIssued(root)) fail(`${leafPath}: not issued by ${rootPath} (names)`);
const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
if (leaf.verify(other.publicKey)) fail('a foreign key verified the leaf');

function pk(pem) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const asn = asn1js.fromBER(new Uint8Array(der).buffer);
  if (asn.offset === -1) fail('asn1js cannot parse');
  return new pkijs.Certificate({ schema: asn.result });
}
const pr = pk(rootPem), pl = pk(leafPem);
console.log(`node ${process.versions.node} openssl ${process.versions.openssl}: ` +
  `${leaf.subject.replace(/\n/g, ', ')} <- ${root.subject.replace(/\n/g, ', ')}: OK; ` +
  `sig ${pl.signatureAlgorithm.algorithmId}, ${pl.extensions.length} extensions`);
if (flag === '--tsa') {
  const ext = (oid) => pl.extensions.find((e) => e.extnID === oid);
  const eku = ext('2.5.29.37'), ku = ext('2.5.29.15');
  if (!eku || !eku.critical) fail('EKU missing or not critical');
  const purposes = eku.parsedValue.keyPurposes;
  if (purposes.length !== 1 || purposes[0] !== '1.3.6.1.5.5.7.3.8') fail(`EKU is ${purposes}`);
  if (!ku || !ku.critical) fail('keyUsage missing or not critical');
  const pol = ext('2.5.29.32');
  if (!pol) fail('certificatePolicies missing');
  const ids = pol.parsedValue.certificatePolicies.map((p) => p.policyIdentifier);
  if (!ids.some((i) => i.startsWith('1.3.6.1.4.1.32473.1.'))) fail(`policies ${ids}`);
  const b = ext('1.3.6.1.4.1.32473.1.1');
  if (!b || b.critical) fail('binding extension missing or critical');
  if (pr.extensions.find((e) => e.extnID === '2.5.29.19') === undefined) fail('root lacks basicConstraints');
}
