// A minimal RFC 3161 HTTP endpoint for the rotation tests: each POSTed
// application/timestamp-query is answered by `cctsa ts-reply` with the keys in KEYDIR
// (real tokens, made by this project's token code; the cluster of issue 9 will replace it).
// usage: node ts_server.js CCTSA KEYDIR PORTFILE   (listens on 127.0.0.1, a free port)
'use strict';
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const [cctsa, keydir, portfile] = process.argv.slice(2);
let n = 0;
const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
			res.writeHead(400).end();
			return;
		}
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-server-'));
		const q = path.join(dir, `q${n}.tsq`), r = path.join(dir, `r${n++}.tsr`);
		fs.writeFileSync(q, Buffer.concat(chunks));
		try {
			execFileSync(cctsa, ['ts-reply', '--query', q, '--keys', keydir, '--out', r]);
			res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(fs.readFileSync(r));
		} catch (e) {
			res.writeHead(500).end();
		}
		fs.rmSync(dir, { recursive: true, force: true });
	});
});
server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(portfile + '.tmp', String(server.address().port));
	fs.renameSync(portfile + '.tmp', portfile);
});
