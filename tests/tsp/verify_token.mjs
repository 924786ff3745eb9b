// Independent check of a CC-TSA response with Node (OpenSSL 3.5) and pkijs/asn1js:
//   node verify_token.mjs RESP.tsr PKI_DIR default|pq [OUT_COMPANION.tst]
// - pkijs parses the TimeStampResp, the SignedData (exactly one SignerInfo), the
//   companion token in the unsigned attribute 1.3.6.1.4.1.32473.1.2 and both TSTInfos;
// - both tokens carry byte-identical TSTInfo;
// - ML-DSA-65: crypto.verify(null, signedAttrsDER, mldsaCert.publicKey, sig) and the
//   ML-DSA TSA certificate verifies under the ML-DSA CA; ECDSA: crypto.verify('sha384', ...);
// - messageDigest = SHA-512 (ML-DSA) / SHA-384 (ECDSA) of the TSTInfo;
// - one flipped bit in the signed attributes makes each signature fail (the check can fail).
// Writes the companion token (a bare ContentInfo) to OUT_COMPANION.tst when given.
import { createRequire } from 'node:module';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const asn1js = require('asn1js');
const pkijs = require('pkijs');

const COMPANION = '1.3.6.1.4.1.32473.1.2';
const MLDSA65 = '2.16.840.1.101.3.4.3.18';
const ECDSA384 = '1.2.840.10045.4.3.3';
const MSG_DIGEST = '1.2.840.113549.1.9.4';
const POLICY = { default: '1.3.6.1.4.1.32473.1.4', pq: '1.3.6.1.4.1.32473.1.3' };

function fail(msg) {
  console.error(`verify_token: FAIL: ${msg}`);
  process.exit(1);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}

const [respPath, pkiDir, mode, outCompanion] = process.argv.slice(2);
check(respPath && pkiDir && (mode === 'default' || mode === 'pq'), 'usage: RESP.tsr PKI_DIR default|pq [OUT]');
const pem = (name) => fs.readFileSync(path.join(pkiDir, name));
const certs = {
  ec: new crypto.X509Certificate(pem('tsa-ecdsa.pem')),
  ml: new crypto.X509Certificate(pem('tsa-mldsa.pem')),
  caEc: new crypto.X509Certificate(pem('ca-ecdsa.pem')),
  caMl: new crypto.X509Certificate(pem('ca-mldsa.pem')),
};

// The ML-DSA chain under Node's OpenSSL 3.5 (no classical link).
check(certs.ml.publicKey.asymmetricKeyType === 'ml-dsa-65', `ML-DSA TSA key type ${certs.ml.publicKey.asymmetricKeyType}`);
check(certs.ml.checkIssued(certs.caMl) && certs.ml.verify(certs.caMl.publicKey), 'ML-DSA TSA cert does not verify under the ML-DSA CA');
check(certs.caMl.verify(certs.caMl.publicKey), 'ML-DSA CA self-signature');
check(certs.ec.verify(certs.caEc.publicKey), 'ECDSA TSA cert under the ECDSA CA');
check(!certs.ml.verify(certs.caEc.publicKey), 'ML-DSA TSA cert must not verify under the ECDSA CA');

function signedData(contentInfo) {
  check(contentInfo.contentType === '1.2.840.113549.1.7.2', 'not SignedData');
  const sd = new pkijs.SignedData({ schema: contentInfo.content });
  check(sd.signerInfos.length === 1, `exactly one SignerInfo, found ${sd.signerInfos.length}`);
  check(sd.encapContentInfo.eContentType === '1.2.840.113549.1.9.16.1.4', 'eContentType is not TSTInfo');
  return sd;
}

function tstBytes(sd) {
  return Buffer.from(sd.encapContentInfo.eContent.valueBlock.valueHexView);
}

function verifyToken(sd, label) {
  const si = sd.signerInfos[0];
  const alg = si.signatureAlgorithm.algorithmId;
  const attrs = Buffer.from(si.signedAttrs.encodedValue); // DER SET OF, tag 0x31
  check(attrs[0] === 0x31, 'signed attributes re-tagged');
  const sig = Buffer.from(si.signature.valueBlock.valueHexView);
  const md = si.signedAttrs.attributes.find((a) => a.type === MSG_DIGEST);
  check(md, `${label}: no messageDigest`);
  const mdVal = Buffer.from(md.values[0].valueBlock.valueHexView);
  let ok, tampered;
  const bad = Buffer.from(attrs);
  bad[bad.length - 1] ^= 1;
  if (alg === MLDSA65) {
    check(si.signatureAlgorithm.algorithmParams === undefined, `${label}: ML-DSA parameters must be absent`);
    check(si.digestAlgorithm.algorithmId === '2.16.840.1.101.3.4.2.3', `${label}: ML-DSA digest must be SHA-512`);
    check(mdVal.equals(crypto.createHash('sha512').update(tstBytes(sd)).digest()), `${label}: messageDigest`);
    ok = crypto.verify(null, attrs, certs.ml.publicKey, sig);
    tampered = crypto.verify(null, bad, certs.ml.publicKey, sig);
  } else {
    check(alg === ECDSA384, `${label}: unexpected signature algorithm ${alg}`);
    check(si.digestAlgorithm.algorithmId === '2.16.840.1.101.3.4.2.2', `${label}: ECDSA digest must be SHA-384`);
    check(mdVal.equals(crypto.createHash('sha384').update(tstBytes(sd)).digest()), `${label}: messageDigest`);
    ok = crypto.verify('sha384', attrs, certs.ec.publicKey, sig);
    tampered = crypto.verify('sha384', bad, certs.ec.publicKey, sig);
  }
  check(ok, `${label}: ${alg} signature does not verify`);
  check(!tampered, `${label}: tampered signed attributes still verify`);
  const tst = pkijs.TSTInfo.fromBER(tstBytes(sd));
  check(tst.version === 1 && tst.policy === POLICY[mode], `${label}: TSTInfo version/policy ${tst.policy}`);
  return { alg, tst };
}

const resp = pkijs.TimeStampResp.fromBER(fs.readFileSync(respPath));
check(resp.status.status === 0, `status ${resp.status.status}`);
const outer = signedData(resp.timeStampToken);
const o = verifyToken(outer, 'outer');
check(o.alg === (mode === 'pq' ? MLDSA65 : ECDSA384), `outer algorithm ${o.alg} for ${mode}`);
const ua = outer.signerInfos[0].unsignedAttrs;
check(ua && ua.attributes.length === 1 && ua.attributes[0].type === COMPANION, 'companion attribute missing');
check(ua.attributes[0].values.length === 1, 'companion attribute must hold one token');
const innerCi = new pkijs.ContentInfo({ schema: ua.attributes[0].values[0] });
const inner = signedData(innerCi);
check(inner.signerInfos[0].unsignedAttrs === undefined, 'companion token carries unsigned attributes');
const i = verifyToken(inner, 'companion');
check(i.alg !== o.alg, 'companion must use the other algorithm');
check(tstBytes(outer).equals(tstBytes(inner)), 'TSTInfo bytes differ between the tokens');
check(o.tst.serialNumber.valueBlock.valueHexView.length <= 20, 'serial over 20 octets');
if (outCompanion) fs.writeFileSync(outCompanion, Buffer.from(ua.attributes[0].values[0].valueBeforeDecodeView));
console.log(`verify_token: ok (${mode}: outer ${o.alg}, companion ${i.alg}, same TSTInfo ${tstBytes(outer).length} octets, genTime ${o.tst.genTime.toISOString()})`);
