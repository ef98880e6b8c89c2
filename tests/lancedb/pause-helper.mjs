// tests/lancedb/pause-helper.mjs - a LanceDB helper that stops at a chosen row, so a test can kill
// vbadmin at a known point of a migrate.  vbadmin runs it in place of the real helper
// (VBADMIN_LANCEDB_HELPER, backends/lancedb/lance_proc.c; a symbolic link to it in a directory with
// a node_modules link to the helper's, where the backend looks for LanceDB's library) and talks to it
// as to the real one: this
// script starts the real helper with its own stdout (vbadmin's socket), so every reply goes straight
// back, and passes vbadmin's requests on frame by frame until the first scan request of table
// $VBT_PAUSE_TABLE at an offset >= $VBT_PAUSE_ROW.  That request is held, never answered: vbadmin
// waits with every batch before that offset committed and recorded, and the offset is written to
// $VBT_PAUSE_MARK for the test.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Reader, framer } from '../../backends/lancedb/helper/wire.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const real = path.join(here, '../../backends/lancedb/helper/vb-lance-helper.mjs');
const child = spawn(process.execPath, [real], { stdio: ['pipe', 'inherit', 'inherit'] });
const table = process.env.VBT_PAUSE_TABLE, row = BigInt(process.env.VBT_PAUSE_ROW || '0');
let held = false;

process.stdin.on('data', framer((frame) => {
	if (held) return;
	const q = new Reader(frame).value();
	if (q.op === 'query' && q.mode === 'scan' && q.table === table && q.offset >= row) {
		held = true;
		fs.writeFileSync(process.env.VBT_PAUSE_MARK, `${q.offset}\n`);
		return;
	}
	const len = Buffer.alloc(4);
	len.writeUInt32LE(frame.length);
	child.stdin.write(Buffer.concat([len, frame]));
}));
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => process.exit(code ?? 1));
