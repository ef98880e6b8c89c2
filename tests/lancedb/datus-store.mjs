// tests/lancedb/datus-store.mjs - writes a LanceDB store the way Datus lays it out, with LanceDB's
// own library (the pinned @lancedb/lancedb of backends/lancedb/helper), for tests and `make bench`.
//
//   node tests/lancedb/datus-store.mjs --dir DIR [--dim 8] [--rows 200] [--seed 1] [--tables a,b]
//                                      [--no-index] [--model NAME] [--fragments N]
//
// DIR is the namespace's directory ({home}/data/datus_db_<namespace>).  Every vector table gets the
// Arrow schema of Datus's store class (monrg/Datus-agent, branch refactor/store, commit e1e4c94:
// datus/storage/{schema_metadata,semantic_model,metric,reference_sql,ext_knowledge,document}/store.py,
// subject_tree/store.py base_schema_columns), --rows rows of deterministic data, the full-text and
// scalar indexes the stores build after a sync (one native FTS index per column), and datus_db.cfg
// records the model per store (datus-spec 5.3).  Row i of every table carries the word "tag<i>" in
// its text column, so a test can find exactly one row by text.  --fragments N writes each table in N
// commits (one Lance data fragment each), as a store Datus filled batch by batch.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../backends/lancedb/helper/package.json'));
const lancedb = require('@lancedb/lancedb');
const arrow = require('apache-arrow');

const args = { dim: 8, rows: 200, seed: 1, model: 'all-MiniLM-L6-v2', index: true, fragments: 1 };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--no-index') args.index = false;
	else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.dir) { console.error('usage: datus-store.mjs --dir DIR [--dim N] [--rows N] [--seed S] [--tables a,b] [--no-index] [--fragments N]'); process.exit(2); }
const dim = Number(args.dim), nrows = Number(args.rows);

const F = (name, type) => new arrow.Field(name, type, true);
const str = () => new arrow.Utf8();
const list = () => new arrow.List(F('item', new arrow.Utf8()));
const vec = () => new arrow.FixedSizeList(dim, F('item', new arrow.Float32()));
const subject = [F('name', str()), F('subject_node_id', new arrow.Int64()), F('created_at', str())];
const schemaTable = (src) => [F('identifier', str()), F('catalog_name', str()), F('database_name', str()),
	F('schema_name', str()), F('table_name', str()), F('table_type', str()), F(src, str()), F('vector', vec())];

// table -> [Arrow fields, text source, FTS columns, scalar-index columns, datus_db.cfg section]
const TABLES = {
	schema_metadata: [schemaTable('definition'), 'definition', ['database_name', 'schema_name', 'table_name', 'definition'],
		['database_name', 'catalog_name', 'schema_name', 'table_name', 'table_type'], 'database'],
	schema_value: [schemaTable('sample_rows'), 'sample_rows', ['database_name', 'schema_name', 'table_name', 'sample_rows'],
		['database_name', 'catalog_name', 'schema_name', 'table_name', 'table_type'], 'database'],
	semantic_model: [[F('id', str()), F('kind', str()), F('name', str()), F('fq_name', str()), F('semantic_model_name', str()),
		F('catalog_name', str()), F('database_name', str()), F('schema_name', str()), F('table_name', str()),
		F('description', str()), F('vector', vec()), F('is_dimension', new arrow.Bool()), F('is_measure', new arrow.Bool()),
		F('is_entity_key', new arrow.Bool()), F('is_deprecated', new arrow.Bool()), F('expr', str()), F('column_type', str()),
		F('agg', str()), F('create_metric', new arrow.Bool()), F('agg_time_dimension', str()), F('is_partition', new arrow.Bool()),
		F('time_granularity', str()), F('entity', str()), F('yaml_path', str()), F('updated_at', new arrow.TimestampMillisecond())],
		'description', ['description', 'name', 'fq_name'], ['kind', 'table_name', 'id'], 'semantic_model'],
	metrics: [[...subject, F('id', str()), F('semantic_model_name', str()), F('description', str()), F('vector', vec()),
		F('metric_type', str()), F('measure_expr', str()), F('base_measures', list()), F('dimensions', list()),
		F('entities', list()), F('catalog_name', str()), F('database_name', str()), F('schema_name', str()), F('sql', str()),
		F('yaml_path', str()), F('updated_at', new arrow.TimestampMillisecond())],
		'description', ['description', 'name'], ['semantic_model_name', 'id', 'catalog_name', 'database_name', 'schema_name', 'subject_node_id'], 'metric'],
	reference_sql: [[...subject, F('id', str()), F('sql', str()), F('comment', str()), F('summary', str()), F('search_text', str()),
		F('filepath', str()), F('tags', str()), F('vector', vec())],
		'search_text', ['sql', 'name', 'summary', 'tags', 'search_text'], ['id', 'name', 'filepath', 'subject_node_id'], 'reference_sql'],
	ext_knowledge: [[...subject, F('id', str()), F('search_text', str()), F('explanation', str()), F('vector', vec())],
		'search_text', ['search_text', 'explanation'], ['subject_node_id'], 'ext_knowledge'],
	document: [[F('chunk_id', str()), F('chunk_text', str()), F('chunk_index', new arrow.Int32()), F('title', str()),
		F('titles', list()), F('nav_path', list()), F('group_name', str()), F('hierarchy', str()), F('version', str()),
		F('source_type', str()), F('source_url', str()), F('doc_path', str()), F('keywords', list()), F('language', str()),
		F('created_at', str()), F('updated_at', str()), F('content_hash', str()), F('vector', vec())],
		'chunk_text', ['chunk_text', 'title', 'hierarchy'], [], 'document'],
};

let state = Number(args.seed) >>> 0 || 1;
function rand() { // xorshift32: the same store for the same seed
	state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
	return state / 4294967296;
}
function vector() {
	const v = new Float32Array(dim);
	let n = 0;
	for (let i = 0; i < dim; i++) { v[i] = rand() * 2 - 1; n += v[i] * v[i]; }
	n = Math.sqrt(n) || 1;
	for (let i = 0; i < dim; i++) v[i] /= n;
	return v;
}
const WORDS = ['orders', 'revenue', 'customer', 'daily', 'active', 'users', 'region', 'quarter', 'refund', 'shipment',
	'invoice', 'product', 'margin', 'churn', 'session'];
const words = (n) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');

function cell(f, i, table, src) {
	const t = f.type;
	if (f.name === 'vector') return vector();
	if (f.name === src) return `${words(6)} tag${i}`;
	if (arrow.DataType.isTimestamp(t)) return new Date(Date.UTC(2025, 0, 1) + i * 60000 + (i % 7));
	if (arrow.DataType.isBool(t)) return i % 3 === 0;
	if (arrow.DataType.isInt(t)) return t.bitWidth === 64 ? BigInt(i % 10) : i;
	if (arrow.DataType.isList(t)) return i % 5 === 0 ? null : [WORDS[i % WORDS.length], `${f.name}_${i}`];
	if (['id', 'identifier', 'chunk_id'].includes(f.name)) return `${table}:${i}`;
	if (f.name === 'name') return `name_${i}`; // (subject_node_id, name) is unique in Datus's stores
	if (f.name === 'kind') return ['table', 'column', 'entity'][i % 3];
	if (i % 11 === 0 && f.name !== 'name') return null;
	return `${f.name}_${i % 17}`;
}

fs.mkdirSync(args.dir, { recursive: true });
// as Datus's Python lancedb 0.18: no namespace manifest (__manifest/) beside the tables, Lance file
// format 2.0 (its "stable")
const db = await lancedb.connect(args.dir, { manifestEnabled: false,
	namespaceClientProperties: { manifest_enabled: 'false', dir_listing_enabled: 'true' },
	storageOptions: { new_table_data_storage_version: '2.0' } });
const only = args.tables ? String(args.tables).split(',') : Object.keys(TABLES);
const cfg = new Map();
for (const name of only) {
	const [fields, src, fts, scalar, section] = TABLES[name];
	const schema = new arrow.Schema(fields);
	const recs = [];
	for (let i = 0; i < nrows; i++) {
		const r = {};
		for (const f of fields) r[f.name] = cell(f, i, name, src);
		recs.push(r);
	}
	const parts = Math.max(1, Math.min(Number(args.fragments) || 1, recs.length || 1));
	const cut = (k) => recs.slice(Math.floor((k * recs.length) / parts), Math.floor(((k + 1) * recs.length) / parts));
	const t = await db.createTable(name, lancedb.makeArrowTable(cut(0), { schema }), { mode: 'overwrite' });
	for (let k = 1; k < parts; k++) await t.add(lancedb.makeArrowTable(cut(k), { schema }));
	if (args.index) {
		// Datus's order (store.py create_indices): scalar, then full-text; on a column in both lists the
		// full-text index replaces the scalar one (LanceDB keeps one index per column name)
		for (const c of scalar) await t.createIndex(c, { config: lancedb.Index.btree(), replace: true });
		for (const c of fts) await t.createIndex(c, { config: lancedb.Index.fts(), replace: true });
	}
	cfg.set(section, true);
}
const ini = [...cfg.keys()].map((s) => `[${s}]\nregistry_name = sentence-transformers\nmodel_name = ${args.model}\ndim_size = ${dim}\n`);
fs.writeFileSync(path.join(args.dir, 'datus_db.cfg'), ini.join('\n'));
console.log(`wrote ${only.length} tables x ${nrows} rows (dim ${dim}) to ${args.dir}`);
