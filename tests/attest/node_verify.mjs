// Independent check (Node 26 / OpenSSL 3.5) of an SEV-SNP report and its chain:
//   node node_verify.mjs REPORT VEK ASK ARK
// VEK/ASK/ARK are PEM or DER files; a PEM bundle's first certificate is used for VEK,
// the certificate named by the VEK's issuer for ASK, the self-signed one for ARK.
// Checks: ARK self-signed, ASK <- ARK, VEK <- ASK (RSASSA-PSS as declared in the
// certificates), and the report's ECDSA P-384/SHA-384 signature over 0x000..0x29F
// (r, s little-endian at 0x2A0 and 0x2E8). Prints "ok" and exits 0 only if all hold.
import { readFileSync } from "node:fs";
import { X509Certificate, verify } from "node:crypto";

function certs(path) {
  const raw = readFileSync(path);
  const text = raw.toString("latin1");
  if (!text.includes("-----BEGIN CERTIFICATE-----")) return [new X509Certificate(raw)];
  return text.split(/(?=-----BEGIN CERTIFICATE-----)/).filter((s) => s.includes("CERTIFICATE"))
    .map((s) => new X509Certificate(s));
}
const [reportPath, vekPath, askPath, arkPath] = process.argv.slice(2);
const report = readFileSync(reportPath);
if (report.length !== 1184) throw new Error(`report is ${report.length} bytes`);
const vek = certs(vekPath)[0];
const ask = certs(askPath).find((c) => c.subject === vek.issuer);
const ark = certs(arkPath).find((c) => c.subject === c.issuer && ask && ask.issuer === c.subject);
if (!ask || !ark) throw new Error("chain not found");
const checks = {
  arkSelf: ark.verify(ark.publicKey),
  askByArk: ask.verify(ark.publicKey),
  vekByAsk: vek.verify(ask.publicKey),
};
const le = (off) => Buffer.from(report.subarray(off, off + 48)).reverse();
for (const off of [0x2a0 + 48, 0x2e8 + 48]) {
  if (report.subarray(off, off + 24).some((b) => b !== 0)) throw new Error("r/s zero extension");
}
checks.report = verify("sha384", report.subarray(0, 0x2a0),
  { key: vek.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.concat([le(0x2a0), le(0x2e8)]));
const bad = Object.entries(checks).filter(([, v]) => !v).map(([k]) => k);
if (bad.length) {
  console.log(`FAIL: ${bad.join(", ")}`);
  process.exit(1);
}
console.log(`ok (${vek.subject.split("\n").find((l) => l.startsWith("CN="))} <- ${ask.subject.split("\n").find((l) => l.startsWith("CN="))} <- ${ark.subject.split("\n").find((l) => l.startsWith("CN="))})`);
