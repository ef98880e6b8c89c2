/* backends/embedded/emb_schema.c - tables: create from a vb_table_spec, verify, exist, clear.
 *
 * A table gets an explicit INTEGER PRIMARY KEY (its SERIAL column, else a hidden _vb_rowid) so
 * row ids survive VACUUM: the FTS5 index and the vector cache are keyed by them.  The FTS5
 * table "<t>_fts" is an external-content index over the spec's fts_columns (or text_source),
 * kept in step by every write path (emb_fts.c).
 * _vb_tables records the vector dimension and the indexed columns to check later opens. */
#include "emb.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *emb_rid_column(const struct vb_table_spec *spec)
{
	for (int i = 0; i < spec->ncolumns; i++) {
		const struct vb_column *c = &spec->columns[i];
		if (c->type == VB_T_INT && c->sql_type && strcasestr(c->sql_type, "SERIAL"))
			return c->name;
	}
	return "_vb_rowid";
}

int emb_fts_columns(const struct vb_table_spec *spec, const char *const **cols)
{
	static const char *const none[] = { NULL };
	if (spec->fts_columns && spec->fts_columns[0]) {
		int n = 0;
		while (spec->fts_columns[n])
			n++;
		*cols = spec->fts_columns;
		return n;
	}
	if (spec->text_source) {
		*cols = &spec->text_source;
		return 1;
	}
	*cols = none;
	return 0;
}

struct emb_table *emb_table_get(struct vb_handle *h, const char *name)
{
	for (struct emb_table *t = h->tables; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	struct emb_table *t = vb_xcalloc(1, sizeof *t);
	t->name = vb_xstrdup(name);
	t->next = h->tables;
	h->tables = t;
	return t;
}

void emb_table_invalidate(struct vb_handle *h, const char *name)
{
	for (struct emb_table *t = h->tables; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			emb_vcache_clear(&t->vc);
}

static const char *sqlite_type(int type)
{
	switch (type) {
	case VB_T_INT:
	case VB_T_BOOL:
		return "INTEGER";
	case VB_T_DOUBLE:
		return "REAL";
	case VB_T_VECTOR:
		return "BLOB";
	default:
		return "TEXT"; /* TEXT, TIMESTAMP, TEXT[] as JSON */
	}
}

/* Rejects specs the backend cannot store faithfully, naming the field at fault. */
static int spec_valid(const struct vb_table_spec *spec, struct vb_error *err)
{
	if (!spec || !spec->name || !*spec->name)
		return vb_err_set(err, VB_ERR_INVALID, "table spec has no name");
	if (strncmp(spec->name, "_vb_", 4) == 0 || strncmp(spec->name, "sqlite_", 7) == 0)
		return vb_err_set(err, VB_ERR_INVALID, "table name '%s' is reserved by the embedded store", spec->name);
	if (spec->ncolumns <= 0 || !spec->columns)
		return vb_err_set(err, VB_ERR_INVALID, "table spec %s has no columns", spec->name);
	for (int i = 0; i < spec->ncolumns; i++) {
		const char *n = spec->columns[i].name;
		if (!n || !*n)
			return vb_err_set(err, VB_ERR_INVALID, "table spec %s: column %d has no name", spec->name, i + 1);
		if (strcmp(n, "_vb_rowid") == 0 || (spec->namespaced && strcmp(n, "namespace") == 0))
			return vb_err_set(err, VB_ERR_INVALID, "table spec %s: column name '%s' is reserved", spec->name, n);
		for (int j = 0; j < i; j++)
			if (strcmp(spec->columns[j].name, n) == 0)
				return vb_err_set(err, VB_ERR_INVALID, "table spec %s: column '%s' is listed twice", spec->name, n);
	}
	if (spec->vector_column) {
		const struct vb_column *c = vb_spec_column(spec, spec->vector_column);
		if (!c || c->type != VB_T_VECTOR)
			return vb_err_set(err, VB_ERR_INVALID, "table spec %s: vector column '%s' is not a vector column",
			                  spec->name, spec->vector_column);
		if (spec->vector_dim < 1 || spec->vector_dim > 16000)
			return vb_err_set(err, VB_ERR_INVALID, "table spec %s: vector dimension %d is outside 1..16000",
			                  spec->name, spec->vector_dim);
	}
	if (spec->key_column && !vb_spec_column(spec, spec->key_column))
		return vb_err_set(err, VB_ERR_INVALID, "table spec %s: key column '%s' is not a column", spec->name,
		                  spec->key_column);
	const char *const *fts;
	int nfts = emb_fts_columns(spec, &fts);
	for (int i = 0; i < nfts; i++)
		if (!vb_spec_column(spec, fts[i]))
			return vb_err_set(err, VB_ERR_INVALID, "table spec %s: text column '%s' is not a column", spec->name,
			                  fts[i]);
	return VB_OK;
}

static int sqlite_table_exists(struct vb_handle *h, const char *name, int *exists, struct vb_error *err)
{
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &st, err);
	if (rc != VB_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	*exists = src == SQLITE_ROW;
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return emb_fail(h, src, err, "embedded store");
	return VB_OK;
}

int emb_require_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	atomic_store(&h->cancelled, 0);
	if (!spec || !spec->name || !*spec->name)
		return vb_err_set(err, VB_ERR_INVALID, "table spec has no name");
	struct emb_table *t = emb_table_get(h, spec->name);
	if (t->exists)
		return VB_OK;
	int exists = 0;
	int rc = sqlite_table_exists(h, spec->name, &exists, err);
	if (rc != VB_OK)
		return rc;
	if (!exists)
		return vb_err_set(err, VB_ERR_NOT_FOUND, "Table %s does not exist.", spec->name);
	t->exists = 1;
	return VB_OK;
}

static char *fts_list(const struct vb_table_spec *spec)
{
	const char *const *cols;
	int n = emb_fts_columns(spec, &cols);
	struct vb_buf b;
	vb_buf_init(&b);
	/* "v2": the index is maintained by the write paths; a store from before (triggers) or with
	 * other columns reads differently and gets its index rebuilt */
	vb_buf_add(&b, "v2:");
	for (int i = 0; i < n; i++) {
		if (i)
			vb_buf_addc(&b, ',');
		vb_buf_add(&b, cols[i]);
	}
	return vb_buf_steal(&b);
}

static void add_string_literal(struct vb_buf *b, const char *s)
{
	vb_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			vb_buf_addc(b, '\'');
		vb_buf_addc(b, *s);
	}
	vb_buf_addc(b, '\'');
}

/* (Re)creates the FTS5 index and fills it from the table.  Triggers of older stores are dropped:
 * the write paths keep the index in step themselves (emb_fts.c), which is several times faster
 * than a trigger per row. */
static int create_fts(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	const char *const *cols;
	int n = emb_fts_columns(spec, &cols);
	char *fts = vb_xasprintf("%s_fts", spec->name);
	const char *rid = emb_rid_column(spec);
	struct vb_buf b;
	vb_buf_init(&b);
	const char *suffix[] = { "_ai", "_ad", "_au" };
	for (int i = 0; i < 3; i++) {
		char *trig = vb_xasprintf("%s%s", fts, suffix[i]);
		vb_buf_add(&b, "DROP TRIGGER IF EXISTS ");
		emb_buf_qi(&b, trig);
		vb_buf_add(&b, ";\n");
		free(trig);
	}
	vb_buf_add(&b, "DROP TABLE IF EXISTS ");
	emb_buf_qi(&b, fts);
	vb_buf_add(&b, ";\n");
	if (n == 0)
		goto run;

	vb_buf_add(&b, "CREATE VIRTUAL TABLE ");
	emb_buf_qi(&b, fts);
	vb_buf_add(&b, " USING fts5(");
	for (int i = 0; i < n; i++) {
		if (i)
			vb_buf_add(&b, ", ");
		emb_buf_qi(&b, cols[i]);
	}
	vb_buf_add(&b, ", content=");
	add_string_literal(&b, spec->name);
	vb_buf_add(&b, ", content_rowid=");
	add_string_literal(&b, rid);
	vb_buf_add(&b, ", tokenize='unicode61');\n");

	vb_buf_add(&b, "INSERT INTO ");
	emb_buf_qi(&b, fts);
	vb_buf_addc(&b, '(');
	emb_buf_qi(&b, fts);
	vb_buf_add(&b, ") VALUES ('rebuild');\n");
run:;
	int rc = emb_exec(h, b.data, err);
	vb_buf_free(&b);
	free(fts);
	return rc;
}

static int record_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "INSERT OR REPLACE INTO _vb_tables (name, vector_column, dim, fts_columns)"
	                        " VALUES (?1, ?2, ?3, ?4)", &st, err);
	if (rc != VB_OK)
		return rc;
	char *fts = fts_list(spec);
	sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
	if (spec->vector_column) {
		sqlite3_bind_text(st, 2, spec->vector_column, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, spec->vector_dim);
	}
	sqlite3_bind_text(st, 4, fts, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	sqlite3_finalize(st);
	free(fts);
	return src == SQLITE_DONE ? VB_OK : emb_fail(h, src, err, "embedded store");
}

static int create_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	const char *rid = emb_rid_column(spec);
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "CREATE TABLE ");
	emb_buf_qi(&b, spec->name);
	vb_buf_add(&b, " (");
	int own_rid = strcmp(rid, "_vb_rowid") == 0;
	if (own_rid)
		vb_buf_add(&b, "\"_vb_rowid\" INTEGER PRIMARY KEY, ");
	if (spec->namespaced)
		vb_buf_add(&b, "\"namespace\" TEXT NOT NULL, ");
	for (int i = 0; i < spec->ncolumns; i++) {
		const struct vb_column *c = &spec->columns[i];
		if (i)
			vb_buf_add(&b, ", ");
		emb_buf_qi(&b, c->name);
		if (!own_rid && strcmp(c->name, rid) == 0) {
			vb_buf_add(&b, " INTEGER PRIMARY KEY AUTOINCREMENT");
			continue;
		}
		vb_buf_addc(&b, ' ');
		vb_buf_add(&b, sqlite_type(c->type));
		if (c->not_null)
			vb_buf_add(&b, " NOT NULL");
	}
	if (spec->key_column && strcmp(spec->key_column, rid) != 0) {
		vb_buf_add(&b, ", UNIQUE (");
		emb_buf_qi(&b, spec->key_column);
		vb_buf_addc(&b, ')');
	}
	vb_buf_add(&b, ")");
	int rc = emb_exec(h, b.data, err);
	vb_buf_free(&b);
	if (rc == VB_OK)
		rc = create_fts(h, spec, err);
	if (rc == VB_OK)
		rc = record_table(h, spec, err);
	return rc;
}

/* Marks in have[] the spec columns the table has; *has_ns: it has the namespace column. */
static int read_columns(struct vb_handle *h, const struct vb_table_spec *spec, char *have, int *has_ns,
                        struct vb_error *err)
{
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "SELECT name FROM pragma_table_info(?1)", &st, err);
	if (rc != VB_OK)
		return rc;
	sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		if (!n)
			continue;
		if (strcmp(n, "namespace") == 0)
			*has_ns = 1;
		for (int i = 0; i < spec->ncolumns; i++)
			if (strcmp(spec->columns[i].name, n) == 0)
				have[i] = 1;
	}
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? VB_OK : emb_fail(h, src, err, "embedded store");
}

/* Columns added to the table list since the store was made are added later (the store is ours:
 * zero set-up), unless SQLite cannot add them to a filled table (NOT NULL, the row id). */
static int check_missing(const struct vb_table_spec *spec, const char *have, int has_ns, struct vb_error *err)
{
	if (spec->namespaced && !has_ns)
		return vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing required column: namespace", spec->name);
	struct vb_buf missing;
	vb_buf_init(&missing);
	int addable = 1;
	for (int i = 0; i < spec->ncolumns; i++)
		if (!have[i]) {
			if (missing.len)
				vb_buf_add(&missing, ", ");
			vb_buf_add(&missing, spec->columns[i].name);
			if (spec->columns[i].not_null || strcmp(spec->columns[i].name, emb_rid_column(spec)) == 0)
				addable = 0;
		}
	int rc = VB_OK;
	if (missing.len && !addable) {
		rc = vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing columns: %s", spec->name, missing.data);
		snprintf(err->hint, sizeof err->hint,
		         "the table was created by another version of the table list; clear it or use a new namespace");
	}
	vb_buf_free(&missing);
	return rc;
}

static int add_column(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_column *c,
                      struct vb_error *err)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "ALTER TABLE ");
	emb_buf_qi(&b, spec->name);
	vb_buf_add(&b, " ADD COLUMN ");
	emb_buf_qi(&b, c->name);
	vb_buf_addc(&b, ' ');
	vb_buf_add(&b, sqlite_type(c->type));
	if (spec->key_column && strcmp(spec->key_column, c->name) == 0) {
		/* ADD COLUMN cannot carry UNIQUE; an index serves ON CONFLICT just as well */
		char *idx = vb_xasprintf("%s_key_%s", spec->name, c->name);
		vb_buf_add(&b, "; CREATE UNIQUE INDEX ");
		emb_buf_qi(&b, idx);
		vb_buf_add(&b, " ON ");
		emb_buf_qi(&b, spec->name);
		vb_buf_addc(&b, '(');
		emb_buf_qi(&b, c->name);
		vb_buf_addc(&b, ')');
		free(idx);
	}
	int rc = emb_exec(h, b.data, err);
	vb_buf_free(&b);
	return rc;
}

/* Checks the recorded vector dimension and rebuilds the text index when its columns changed. */
static int verify_recorded(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "SELECT dim, fts_columns FROM _vb_tables WHERE name = ?1", &st, err);
	if (rc != VB_OK)
		return rc;
	sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
	int dim = 0;
	char *fts_have = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		dim = sqlite3_column_int(st, 0);
		fts_have = vb_xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (spec->vector_column && dim && dim != spec->vector_dim) {
		free(fts_have);
		vb_err_set(err, VB_ERR_SCHEMA, "Table %s stores %d-dimensional vectors, but %d dimensions were requested",
		           spec->name, dim, spec->vector_dim);
		snprintf(err->hint, sizeof err->hint,
		         "configure the embedding dimension %d, or clear the table and re-embed with %d", dim,
		         spec->vector_dim);
		return VB_ERR_SCHEMA;
	}
	char *fts_want = fts_list(spec);
	if (spec->vector_column && !dim)
		rc = record_table(h, spec, err); /* the vector column is new: remember its dimension */
	if (rc == VB_OK && (!fts_have || strcmp(fts_have, fts_want) != 0)) {
		/* the indexed columns changed (or were never recorded): rebuild the text index */
		rc = create_fts(h, spec, err);
		if (rc == VB_OK)
			rc = record_table(h, spec, err);
	}
	free(fts_want);
	free(fts_have);
	return rc;
}

/* Checks an existing table against the spec: columns, vector dimension, text index. */
static int verify_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	char *have = vb_xcalloc((size_t)spec->ncolumns + 1, 1);
	int has_ns = 0;
	int rc = read_columns(h, spec, have, &has_ns, err);
	if (rc == VB_OK)
		rc = check_missing(spec, have, has_ns, err);
	for (int i = 0; i < spec->ncolumns && rc == VB_OK; i++)
		if (!have[i])
			rc = add_column(h, spec, &spec->columns[i], err);
	free(have);
	return rc == VB_OK ? verify_recorded(h, spec, err) : rc;
}

/* begin: "BEGIN" / "BEGIN IMMEDIATE", or NULL for a savepoint inside txn_begin.  *busy: the
 * failure was another connection's write lock. */
static int ensure_in_txn(struct vb_handle *h, const struct vb_table_spec *spec, const char *begin, int *busy,
                         struct vb_error *err)
{
	*busy = 0;
	int rc = begin ? emb_exec(h, begin, err) : emb_begin(h, err);
	if (rc != VB_OK)
		return rc;
	int exists = 0;
	rc = sqlite_table_exists(h, spec->name, &exists, err);
	if (rc == VB_OK)
		rc = exists ? verify_table(h, spec, err) : create_table(h, spec, err);
	if (rc == VB_OK)
		rc = begin ? emb_exec(h, "COMMIT", err) : emb_commit(h, err);
	if (rc != VB_OK) {
		*busy = (sqlite3_extended_errcode(h->db) & 0xff) == SQLITE_BUSY;
		emb_abort(h);
	}
	return rc;
}

int emb_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int rc = spec_valid(spec, err);
	if (rc != VB_OK)
		return rc;
	atomic_store(&h->cancelled, 0);
	/* A deferred transaction first: a table that is already right needs only reads, so a
	 * search neither waits for nor fails on another process's long write (an overwrite holds
	 * the write lock for the whole load).  Only a table that must change takes the lock. */
	int busy;
	rc = ensure_in_txn(h, spec, h->txn ? NULL : "BEGIN", &busy, err);
	if (rc != VB_OK && !h->txn && busy) {
		vb_err_clear(err);
		rc = ensure_in_txn(h, spec, "BEGIN IMMEDIATE", &busy, err);
	}
	if (rc != VB_OK)
		return rc;
	emb_table_get(h, spec->name)->exists = 1;
	emb_table_invalidate(h, spec->name);
	return VB_OK;
}

int emb_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err)
{
	*exists = 0;
	if (!table || !*table)
		return VB_OK;
	return sqlite_table_exists(h, table, exists, err);
}

int emb_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int rc = emb_require_table(h, spec, err);
	if (rc == VB_ERR_NOT_FOUND) {
		vb_err_clear(err);
		return VB_OK; /* clearing a missing table is a no-op, as on pgvector */
	}
	if (rc != VB_OK)
		return rc;
	/* the file holds one namespace, so this namespace's rows are all the rows */
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "DELETE FROM ");
	emb_buf_qi(&b, spec->name);
	rc = emb_begin(h, err);
	if (rc == VB_OK)
		rc = emb_exec(h, b.data, err);
	vb_buf_free(&b);
	if (rc == VB_OK)
		rc = emb_fts_clear(h, spec, err);
	if (rc == VB_OK)
		rc = emb_commit(h, err);
	if (rc != VB_OK)
		emb_abort(h);
	emb_table_invalidate(h, spec->name);
	return rc;
}
