/* engine/steps_pg.c - the pgvector chain of steps.def: every probe goes through the backend's
 * parameterised `query` slot (the engine never links libpq).  Each step records the facts it
 * learns in struct engine for later steps, the reports and the DBA packet. */
#include <stdlib.h>
#include <string.h>

#include "../backends/registry.h"
#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "exitcode.h"
#include "../config/config.h"
#include "engine.h"

#define VEC_BIG_TABLE_ROWS 10000 /* above this an exact scan is slow enough to want an index */

static const char *schema_of(const struct engine *e)
{
	return e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
}

static const char *cell(const struct vb_result *r, size_t row, int col)
{
	const char *v = r && row < r->nrows ? vb_result_get(r, row, col) : NULL;
	return v ? v : "";
}

static void done(struct engine *e, struct vb_result **r)
{
	if (*r)
		e->ops->result_free(e->h, r);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = (v && *v) ? vb_xstrdup(v) : NULL;
}

/* Attaches advice by id and renders its fix unless the step wrote its own. */
static int with_advice(struct engine *e, struct step_result *r, const char *advice_id, const char *table,
                       const char *column, int have_dim)
{
	engine_attach_advice(e, r, advice_get(advice_id), 1, table, column, have_dim);
	return r->status;
}

static int need_catalog(struct engine *e, struct step_result *r);

/* -- config (both chains) -- */

/* Unknown keys (with the nearest known key) warn; an unset ${VAR} in a namespace this command
 * does not use is listed (config_resolve already refused the ones it uses). */
static int config_warnings(struct engine *e, struct step_result *r)
{
	const struct config *c = e->cfg;
	for (int i = 0; c && i < c->nunknown_keys; i++)
		step_add_detail(r, "%s", c->unknown_keys[i]);
	for (int i = 0; c && i < c->nunset_vars; i++)
		step_add_detail(r, "%s", c->unset_vars[i]);
	if (!c || !c->nunknown_keys)
		return STEP_OK;
	char *msg = vb_xstrdup(r->message ? r->message : "");
	step_set_class(r, "VBA-CONFIG-UNKNOWN-KEY");
	step_set(r, STEP_WARN, "%s; %d unknown key%s in %s (see below)", msg, c->nunknown_keys,
	         c->nunknown_keys == 1 ? "" : "s", e->config_path);
	free(msg);
	return STEP_WARN;
}

int step_config(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!e->config_ok) {
		char cls[24];
		advice_classify(NULL, e->config_err.message, cls, sizeof cls);
		int unknown_backend = e->config_err.status == VB_ERR_ABI || strstr(e->config_err.message, "backend");
		step_set_class(r, cls[0] ? cls : unknown_backend ? "VBA-BACKEND-UNKNOWN" : "VBA-CONFIG");
		step_set(r, STEP_FAIL, "%s", e->config_err.message[0] ? e->config_err.message : "configuration error");
		if (e->config_err.hint[0])
			step_add_detail(r, "HINT: %s", e->config_err.hint);
		return with_advice(e, r, unknown_backend ? "VEC-054" : "VEC-053", NULL, NULL, 0);
	}
	if (e->kind == STEPK_PG) {
		struct vb_error err;
		vb_err_clear(&err);
		struct ddl_dims dims = {.dim = e->vbc.dim, .dim_of = engine_dim_of, .ctx = e};
		char **probe = ddl_statements_dims(schema_of(e), &dims, DDL_PART_ALL, &err);
		ddl_statements_free(probe);
		if (!probe) {
			step_set_class(r, "VBA-CONFIG");
			step_set(r, STEP_FAIL, "%s", err.message);
			return with_advice(e, r, "VEC-053", NULL, NULL, 0);
		}
		char *dims_text = engine_dims_text(e);
		step_set(r, STEP_OK, "backend %s, namespace %s, %s@%s:%d/%s schema %s, %s", e->backend_name,
		         e->vbc.namespace ? e->vbc.namespace : "default", e->vbc.username ? e->vbc.username : "(default user)",
		         e->vbc.host ? e->vbc.host : "(default host)", e->vbc.port,
		         e->vbc.database ? e->vbc.database : "postgres", schema_of(e), dims_text);
		free(dims_text);
	} else if (e->kind == STEPK_LANCE) {
		char *dims_text = engine_dims_text(e);
		step_set(r, STEP_OK, "backend lancedb (Datus's store), namespace %s, LanceDB directory %s/datus_db_%s, %s",
		         e->vbc.namespace, e->vbc.data_dir, e->vbc.namespace, dims_text);
		free(dims_text);
	} else {
		char *dims_text = engine_dims_text(e);
		step_set(r, STEP_OK, "backend %s, namespace %s, data dir %s, %s", e->backend_name,
		         e->vbc.namespace ? e->vbc.namespace : "default", e->vbc.data_dir ? e->vbc.data_dir : "(default)",
		         dims_text);
		free(dims_text);
	}
	step_add_detail(r, "config: %s", e->config_path);
	return config_warnings(e, r);
}

int step_pg_stores(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	return engine_stores_report(e, r);
}

/* -- connect -- */

int engine_open_backend(struct engine *e, struct vb_error *err)
{
	if (e->h)
		return VB_OK;
	if (e->ops_injected)
		return e->ops->open(&e->vbc, &e->h, err);
	if (!e->config_ok) {
		*err = e->config_err;
		return err->status ? err->status : VB_ERR_INVALID;
	}
	return vb_registry_open(&e->vbc, &e->ops, &e->h, err);
}

int engine_open_backend_existing(struct engine *e, struct vb_error *err)
{
	const char *ns = e->vbc.namespace && *e->vbc.namespace ? e->vbc.namespace : "default";
	int known = strcmp(ns, "default") == 0 || (e->cfg && config_find_namespace(e->cfg, ns));
	e->vbc.open_existing = !known;
	int rc = engine_open_backend(e, err);
	e->vbc.open_existing = 0;
	return rc;
}

int step_pg_connect(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_open_backend(e, &err) != VB_OK) {
		if (!err.status)
			err.status = VB_ERR_CONNECT;
		return engine_fail_from(e, r, &err, NULL);
	}
	if (!e->ops->query) {
		step_set_class(r, "VBA-INTERNAL");
		step_set(r, STEP_FAIL, "backend %s has no query slot; the guided checks need SQL", e->backend_name);
		return with_advice(e, r, "VEC-058", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "connected to %s:%d database %s as %s", e->vbc.host ? e->vbc.host : "(default)",
	                e->vbc.port, e->vbc.database ? e->vbc.database : "postgres",
	                e->vbc.username ? e->vbc.username : "(default user)");
}

/* -- server version -- */

int step_pg_server_version(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_result *q = engine_query(e,
		"SELECT version(), current_setting('server_version_num'), current_user, current_database(), "
		"current_setting('maintenance_work_mem'), pg_size_bytes(current_setting('maintenance_work_mem')), "
		"current_setting('server_version')", 0, NULL, &err);
	if (!q)
		return engine_fail_from(e, r, &err, "reading the server version");
	set_str(&e->server_version, cell(q, 0, 0));
	e->server_version_num = atoi(cell(q, 0, 1));
	e->pg_major = e->server_version_num / 10000;
	set_str(&e->current_user, cell(q, 0, 2));
	set_str(&e->current_db, cell(q, 0, 3));
	set_str(&e->maintenance_work_mem, cell(q, 0, 4));
	e->maintenance_work_mem_bytes = atoll(cell(q, 0, 5));
	char short_ver[64];
	snprintf(short_ver, sizeof short_ver, "%s", cell(q, 0, 6));
	done(e, &q);
	step_add_detail(r, "%s", e->server_version ? e->server_version : "");
	if (e->server_version_num < 130000) {
		step_set_class(r, "VBA-SERVER-OLD");
		step_set(r, STEP_FAIL, "PostgreSQL %s is too old: pgvector 0.8 needs PostgreSQL 13 or later", short_ver);
		return with_advice(e, r, "VEC-049", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "PostgreSQL %s (major %d)", short_ver, e->pg_major);
}

/* -- extension facts, shared by the extension and privilege steps -- */

static int load_role(struct engine *e, struct vb_error *err)
{
	if (e->rolsuper >= 0)
		return VB_OK;
	const char *params[1] = {schema_of(e)};
	struct vb_result *q = engine_query(e,
		"SELECT r.rolsuper, has_database_privilege(current_database(), 'CREATE'), "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1), "
		"CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) "
		"THEN has_schema_privilege($1, 'CREATE') END, "
		"CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) "
		"THEN has_schema_privilege($1, 'USAGE') END, "
		"current_setting('search_path') "
		"FROM pg_catalog.pg_roles r WHERE r.rolname = current_user", 1, params, err);
	if (!q)
		return err->status ? err->status : VB_ERR_SERVER;
	e->rolsuper = strcmp(cell(q, 0, 0), "t") == 0;
	e->db_create = strcmp(cell(q, 0, 1), "t") == 0;
	e->schema_exists = strcmp(cell(q, 0, 2), "t") == 0;
	e->schema_create = strcmp(cell(q, 0, 3), "t") == 0;
	e->schema_usage = strcmp(cell(q, 0, 4), "t") == 0;
	set_str(&e->search_path, cell(q, 0, 5));
	done(e, &q);
	return VB_OK;
}

static int load_ext(struct engine *e, struct vb_error *err)
{
	struct vb_result *q = engine_query(e,
		"SELECT e.extversion, n.nspname, r.rolname FROM pg_catalog.pg_extension e "
		"JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
		"JOIN pg_catalog.pg_roles r ON r.oid = e.extowner WHERE e.extname = $1", 1,
		(const char *const[]){"vector"}, err);
	if (!q)
		return err->status ? err->status : VB_ERR_SERVER;
	e->ext_installed = q->nrows > 0;
	set_str(&e->ext_version, cell(q, 0, 0));
	set_str(&e->ext_schema, cell(q, 0, 1));
	set_str(&e->ext_owner, cell(q, 0, 2));
	done(e, &q);
	return VB_OK;
}

int engine_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((!*a || *a < '0' || *a > '9') && (!*b || *b < '0' || *b > '9'))
			break;
	}
	return 0;
}

int step_pg_ext_available(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	const char *p[1] = {"vector"};
	struct vb_result *q = engine_query(e,
		"SELECT default_version, installed_version FROM pg_catalog.pg_available_extensions WHERE name = $1", 1, p,
		&err);
	if (!q)
		return engine_fail_from(e, r, &err, "reading pg_available_extensions");
	e->ext_available = q->nrows > 0;
	set_str(&e->ext_default_version, cell(q, 0, 0));
	done(e, &q);
	if (!e->ext_available) {
		step_set_class(r, "0A000");
		step_set(r, STEP_FAIL,
		         "extension \"vector\" is not available on this server (PostgreSQL %d): no vector.control; "
		         "a DBA must install the package postgresql-%d-pgvector on the database server",
		         e->pg_major, e->pg_major);
		step_add_detail(r, "SELECT name FROM pg_available_extensions WHERE name = 'vector' returned no row");
		return with_advice(e, r, "VEC-001", NULL, NULL, 0);
	}
	q = engine_query(e,
		"SELECT string_agg(version, ', ' ORDER BY string_to_array(regexp_replace(version, '[^0-9.]', '', 'g'), "
		"'.')::int[]) FROM pg_catalog.pg_available_extension_versions WHERE name = $1", 1, p, &err);
	if (q) {
		set_str(&e->ext_versions, cell(q, 0, 0));
		done(e, &q);
		step_add_detail(r, "versions the server can install: %s", e->ext_versions ? e->ext_versions : "?");
	}
	return step_set(r, STEP_OK, "pgvector %s is available on the server", e->ext_default_version);
}

int step_pg_ext_installed(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (load_ext(e, &err) != VB_OK || load_role(e, &err) != VB_OK)
		return engine_fail_from(e, r, &err, "reading pg_extension");
	const char *db = e->current_db ? e->current_db : "?";
	if (!e->ext_installed) {
		if (e->rolsuper) {
			step_set_class(r, "VBA-EXT-NOT-INSTALLED");
			step_set(r, STEP_FAIL,
			         "PostgreSQL extension 'vector' is not enabled for the target database %s. "
			         "Run: CREATE EXTENSION IF NOT EXISTS vector;", db);
			step_set_fix(r, "CREATE EXTENSION IF NOT EXISTS vector;");
			return with_advice(e, r, "VEC-038", NULL, NULL, 0);
		}
		step_set_class(r, "42501");
		step_set(r, STEP_FAIL,
		         "extension vector is not installed in database %s and role %s may not create it "
		         "(permission denied to create extension \"vector\": not a superuser); a DBA must run "
		         "CREATE EXTENSION IF NOT EXISTS vector;", db, e->current_user ? e->current_user : "?");
		free(r->fix);
		r->fix = vb_xasprintf("-- as a superuser, in database %s:\nCREATE EXTENSION IF NOT EXISTS vector;", db);
		return with_advice(e, r, "VEC-003", NULL, NULL, 0);
	}
	step_add_detail(r, "installed %s in schema %s, owner %s", e->ext_version, e->ext_schema ? e->ext_schema : "?",
	                e->ext_owner ? e->ext_owner : "?");
	if (e->ext_default_version && e->ext_version && engine_version_cmp(e->ext_default_version, e->ext_version) > 0) {
		step_set_class(r, "VBA-EXT-OUTDATED");
		step_set(r, STEP_WARN, "pgvector %s is installed in %s; the server has %s: ALTER EXTENSION vector UPDATE",
		         e->ext_version, db, e->ext_default_version);
		step_set_fix(r, "ALTER EXTENSION vector UPDATE;");
		return with_advice(e, r, "VEC-009", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "pgvector %s installed in database %s (schema %s)", e->ext_version, db,
	                e->ext_schema ? e->ext_schema : "?");
}

/* -- privileges -- */

int step_pg_privileges(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (load_role(e, &err) != VB_OK || load_ext(e, &err) != VB_OK)
		return engine_fail_from(e, r, &err, "reading role privileges");
	const char *user = e->current_user ? e->current_user : "?";
	step_add_detail(r, "superuser: %s; CREATE on database: %s; schema %s: %s%s", e->rolsuper ? "yes" : "no",
	                e->db_create ? "yes" : "no", schema_of(e), e->schema_exists ? "exists" : "missing",
	                e->schema_exists ? (e->schema_create ? ", CREATE granted" : ", no CREATE") : "");
	if (!e->ext_installed)
		step_add_detail(r, "create the vector extension: %s", e->rolsuper ? "yes" : "no (needs a superuser)");
	/* table privileges come from the catalog snapshot */
	if (e->schema_exists && engine_load_catalog(e, &err) != VB_OK)
		return engine_fail_from(e, r, &err, "reading table privileges");
	if (e->schema_exists) {
		struct vb_buf names;
		vb_buf_init(&names);
		for (int i = 0; i < e->ntables; i++)
			if (e->tables[i].present && !e->tables[i].privileged)
				vb_buf_printf(&names, "%s%s", names.len ? ", " : "", e->tables[i].name);
		if (names.len) {
			step_set_class(r, "VBA-NO-TABLE-PRIV");
			step_set(r, STEP_FAIL, "role %s may not read and write tables: %s", user, names.data);
			char *qs = vb_quote_ident(schema_of(e));
			char *qu = vb_quote_ident(user);
			free(r->fix);
			r->fix = vb_xasprintf("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s;\n"
			                      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA %s TO %s;", qs, qu, qs, qu);
			free(qs);
			free(qu);
			vb_buf_free(&names);
			return with_advice(e, r, "VEC-043", NULL, NULL, 0);
		}
		vb_buf_free(&names);
	}
	int missing_tables = 0;
	for (int i = 0; i < e->ntables; i++)
		missing_tables += !e->tables[i].present;
	int can_create = e->rolsuper || (e->schema_exists ? e->schema_create : e->db_create);
	if (missing_tables && !can_create) {
		step_set_class(r, "VBA-NO-SCHEMA-CREATE");
		step_set(r, STEP_FAIL, "role %s may not create the %d missing tables in schema %s", user, missing_tables,
		         schema_of(e));
		char *qs = vb_quote_ident(schema_of(e));
		char *qu = vb_quote_ident(user);
		free(r->fix);
		r->fix = e->schema_exists ? vb_xasprintf("GRANT USAGE, CREATE ON SCHEMA %s TO %s;", qs, qu)
		                          : vb_xasprintf("CREATE SCHEMA IF NOT EXISTS %s AUTHORIZATION %s;", qs, qu);
		free(qs);
		free(qu);
		return with_advice(e, r, "VEC-042", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "role %s: %s", user,
	                e->rolsuper ? "superuser" : can_create ? "may create tables in the schema" : "uses existing tables");
}

/* -- schema and search_path -- */

static int path_has(const char *path, const char *schema)
{
	/* search_path is a comma list; entries may be quoted or "$user" */
	const char *p = path;
	size_t n = strlen(schema);
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > s && end[-1] == ' ')
			end--;
		if (end - s >= 2 && *s == '"') {
			s++;
			end--;
		}
		if ((size_t)(end - s) == n && strncmp(s, schema, n) == 0)
			return 1;
	}
	return 0;
}

int step_pg_schema(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (load_role(e, &err) != VB_OK || load_ext(e, &err) != VB_OK)
		return engine_fail_from(e, r, &err, "reading the schema");
	step_add_detail(r, "search_path: %s", e->search_path ? e->search_path : "");
	if (!e->schema_exists) {
		step_set_class(r, "VBA-SCHEMA-MISSING");
		step_set(r, STEP_FAIL, "schema \"%s\" does not exist in database %s", schema_of(e),
		         e->current_db ? e->current_db : "?");
		char *qs = vb_quote_ident(schema_of(e));
		free(r->fix);
		r->fix = vb_xasprintf("CREATE SCHEMA IF NOT EXISTS %s;", qs);
		free(qs);
		return with_advice(e, r, "VEC-040", NULL, NULL, 0);
	}
	if (e->ext_installed && e->ext_schema && strcmp(e->ext_schema, "pg_catalog") != 0 &&
	    !path_has(e->search_path ? e->search_path : "", e->ext_schema) &&
	    !(strcmp(e->ext_schema, "public") == 0 && path_has(e->search_path ? e->search_path : "", "public"))) {
		step_set_class(r, "VBA-EXT-SCHEMA-PATH");
		step_set(r, STEP_WARN, "the vector extension lives in schema %s, which is not on search_path (%s)",
		         e->ext_schema, e->search_path ? e->search_path : "");
		return with_advice(e, r, "VEC-041", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "schema %s exists; search_path %s", schema_of(e),
	                e->search_path ? e->search_path : "");
}

/* -- tables, columns, dimensions, indexes: all from the catalog snapshot and its drift -- */

static int need_catalog(struct engine *e, struct step_result *r)
{
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_load_catalog(e, &err) != VB_OK) {
		engine_fail_from(e, r, &err, "reading the catalog");
		return 0;
	}
	if (!e->drift)
		engine_compute_drift(e);
	return 1;
}

static int tables_missing(const struct engine *e)
{
	int n = 0;
	for (int i = 0; i < e->ntables; i++)
		n += !e->tables[i].present;
	return n;
}

/* The per-table steps check the tables that exist and need no other step, so one missing store
 * does not hide the others.  When no table exists there is nothing to check: "ok" would vouch
 * for columns and indexes of tables the tables step just reported missing, so they skip. */
static int skip_without_tables(struct engine *e, struct step_result *r)
{
	if (e->ntables == 0 || tables_missing(e) < e->ntables)
		return 0;
	step_set(r, STEP_SKIP, "skipped: needs \"%s\" (none of the %d tables exists in %s.%s)",
	         step_defs[STEP_tables].title, e->ntables, e->current_db ? e->current_db : "?", schema_of(e));
	return 1;
}

static void append_fix(struct vb_buf *b, const char *fix)
{
	if (!fix)
		return;
	if (b->len)
		vb_buf_addc(b, '\n');
	vb_buf_add(b, fix);
}

int step_pg_tables(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	struct vb_buf names, fix;
	vb_buf_init(&names);
	vb_buf_init(&fix);
	int missing = 0, sev = STEP_OK;
	for (int i = 0; i < e->ndrift; i++) {
		struct eng_drift *d = &e->drift[i];
		if (d->kind != DRIFT_MISSING_TABLE)
			continue;
		vb_buf_printf(&names, "%s%s", missing ? ", " : "", d->table);
		step_add_detail(r, "Table %s does not exist.", d->table);
		append_fix(&fix, d->fix);
		missing++;
		if (engine_table_severity(e, d->table) > sev)
			sev = engine_table_severity(e, d->table);
	}
	int ret;
	if (missing) {
		step_set_class(r, "500010");
		step_set(r, sev, "%d of %d tables missing in %s.%s: %s", missing, e->ntables,
		         e->current_db ? e->current_db : "?", schema_of(e), names.data);
		if (!e->ext_installed && !strstr(fix.data, "CREATE EXTENSION")) {
			/* the vector tables need the type first */
			char *all = vb_xasprintf("CREATE EXTENSION IF NOT EXISTS vector;\n%s", fix.data);
			vb_buf_reset(&fix);
			vb_buf_add(&fix, all);
			free(all);
		}
		/* a few tables: their exact statements; many: the command that applies the whole DDL */
		if (missing <= 2)
			step_set_fix(r, fix.data);
		ret = with_advice(e, r, "VEC-015", NULL, NULL, 0);
	} else {
		ret = step_set(r, STEP_OK, "all %d tables present in schema %s", e->ntables, schema_of(e));
	}
	vb_buf_free(&names);
	vb_buf_free(&fix);
	return ret;
}

/* What step_pg_columns found over all tables. */
struct col_tally {
	struct vb_buf fix;
	int missing, nons, types, sev;
	const char *first_table; /* the first table missing columns: the advice names it */
};

static void tally_table(struct engine *e, struct step_result *r, const char *name, struct col_tally *y)
{
	struct vb_buf cols;
	vb_buf_init(&cols);
	for (int i = 0; i < e->ndrift; i++) {
		struct eng_drift *d = &e->drift[i];
		if (strcmp(d->table, name) != 0)
			continue;
		if (d->kind == DRIFT_MISSING_COLUMN || d->kind == DRIFT_MISSING_NAMESPACE) {
			if (engine_table_severity(e, name) > y->sev)
				y->sev = engine_table_severity(e, name);
		}
		if (d->kind == DRIFT_MISSING_COLUMN) {
			vb_buf_printf(&cols, "%s%s", cols.len ? ", " : "", d->column);
			append_fix(&y->fix, d->fix);
			y->missing++;
		} else if (d->kind == DRIFT_MISSING_NAMESPACE) {
			step_add_detail(r, "Table %s missing required column: namespace", name);
			append_fix(&y->fix, d->fix);
			y->nons++;
		} else if (d->kind == DRIFT_COLUMN_TYPE) {
			step_add_detail(r, "%s.%s is %s, the DDL says %s", name, d->column, d->have, d->want);
			y->types++;
		}
	}
	if (cols.len) {
		/* a store vbadmin does not need (document, for one: Datus's all.sql lacks the columns
		 * its store writes) is a warning about that store only */
		step_add_detail(r, "Table %s missing columns: %s%s", name, cols.data,
		                engine_table_severity(e, name) == STEP_WARN ? " (affects only this store)" : "");
		if (!y->first_table)
			y->first_table = name;
	}
	vb_buf_free(&cols);
}

/* Missing columns decide the verdict when there are any (they come with the statements that add
 * them); a column of another type is only warned about. */
static int columns_verdict(struct engine *e, struct step_result *r, const struct col_tally *y)
{
	if (y->missing || y->nons) {
		int n = y->missing + y->nons;
		step_set_class(r, y->nons ? "VBA-NO-NAMESPACE" : "500006");
		step_set(r, y->sev, "%d missing column%s%s (%s)", n, n == 1 ? "" : "s",
		         y->nons ? ", including namespace" : "", r->detail ? r->detail : "");
		step_set_fix(r, y->fix.data);
		return with_advice(e, r, y->nons ? "VEC-039" : "VEC-016", y->first_table, NULL, 0);
	}
	if (y->types) {
		step_set_class(r, "VBA-COLUMN-TYPE");
		step_set(r, STEP_WARN, "%d column%s with another type than the DDL", y->types, y->types == 1 ? "" : "s");
		return with_advice(e, r, "VEC-044", NULL, NULL, 0);
	}
	if (tables_missing(e))
		return step_set(r, STEP_OK, "the tables present (%d of %d) have the columns the store writes; %d missing, "
		                "see tables", e->ntables - tables_missing(e), e->ntables, tables_missing(e));
	return step_set(r, STEP_OK, "every table has the columns the store writes");
}

int step_pg_columns(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	if (skip_without_tables(e, r))
		return STEP_SKIP;
	struct col_tally y = {.sev = STEP_OK};
	vb_buf_init(&y.fix);
	for (int t = 0; t < e->ntables; t++)
		tally_table(e, r, e->tables[t].name, &y);
	int ret = columns_verdict(e, r, &y);
	vb_buf_free(&y.fix);
	return ret;
}

int step_pg_dimensions(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	if (skip_without_tables(e, r))
		return STEP_SKIP;
	struct vb_buf fix, dims;
	vb_buf_init(&fix);
	vb_buf_init(&dims);
	vb_buf_add(&dims, "");
	int wrong = 0, have = 0, sev = STEP_OK;
	const struct eng_drift *first = NULL;
	for (int i = 0; i < e->ndrift; i++) {
		struct eng_drift *d = &e->drift[i];
		if (d->kind != DRIFT_WRONG_DIM)
			continue;
		int hd = engine_drift_have_dim(d);
		int want = engine_table_dim(e, d->table);
		if (hd == 0) /* a column declared without a dim takes any vector but cannot carry an ANN index */
			step_add_detail(r, "%s.%s is %s with no declared dimension; its store's embedding dim is %d (vectors "
			                "of any dim are accepted and no ANN index can be built); %s", d->table, d->column,
			                d->have, want, d->note ? d->note : "");
		else
			step_add_detail(r, "%s.%s is %s but its store's embedding dim is %d (inserts would fail: expected %d "
			                "dimensions, not %d); %s", d->table, d->column, d->have, want, hd, want,
			                d->note ? d->note : "");
		append_fix(&fix, d->fix);
		if (!first)
			first = d;
		wrong++;
		if (engine_table_severity(e, d->table) > sev)
			sev = engine_table_severity(e, d->table);
	}
	for (int t = 0; t < e->ntables; t++)
		for (int c = 0; c < e->tables[t].ncols; c++)
			if (strcmp(e->tables[t].cols[c].type, "vector") == 0) {
				have++;
				vb_buf_printf(&dims, "%s%s vector(%d)", dims.len ? ", " : "", e->tables[t].name,
				              e->tables[t].cols[c].typmod);
			}
	int ret;
	if (wrong) {
		int have_dim = engine_drift_have_dim(first);
		step_set_class(r, "VBA-DIM-MISMATCH");
		step_set(r, sev, "%d vector column%s with the wrong dimension: table %s column %s is %s, "
		         "its store's embedding dim is %d", wrong, wrong == 1 ? "" : "s", first->table, first->column,
		         first->have, engine_table_dim(e, first->table));
		step_set_fix(r, fix.data);
		ret = with_advice(e, r, "VEC-019", first->table, first->column, have_dim);
	} else {
		ret = step_set(r, STEP_OK, "%d vector column%s, each with its store's dim: %s", have, have == 1 ? "" : "s",
		               dims.data);
	}
	vb_buf_free(&fix);
	vb_buf_free(&dims);
	return ret;
}

int step_pg_text_indexes(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	if (skip_without_tables(e, r))
		return STEP_SKIP;
	struct vb_buf fix, uniq, fts;
	vb_buf_init(&fix);
	vb_buf_init(&uniq);
	vb_buf_init(&fts);
	const char *first_u = NULL, *first_col = NULL;
	int usev = STEP_OK;
	for (int i = 0; i < e->ndrift; i++) {
		struct eng_drift *d = &e->drift[i];
		if (d->kind == DRIFT_MISSING_UNIQUE) {
			if (engine_table_severity(e, d->table) > usev)
				usev = engine_table_severity(e, d->table);
			vb_buf_printf(&uniq, "%s%s (namespace, %s)", uniq.len ? ", " : "", d->table, d->column);
			if (!first_u) {
				first_u = d->table;
				first_col = d->column;
			}
		} else if (d->kind == DRIFT_MISSING_FTS_INDEX) {
			vb_buf_printf(&fts, "%s%s", fts.len ? ", " : "", d->table);
		} else {
			continue;
		}
		append_fix(&fix, d->fix);
	}
	int ret;
	if (uniq.len) {
		step_set_class(r, "VBA-MISSING-UNIQUE");
		step_set(r, usev, "upserts would fail (42P10): no unique constraint on %s", uniq.data);
		if (fts.len)
			step_add_detail(r, "full-text index missing on: %s", fts.data);
		step_set_fix(r, fix.data);
		ret = with_advice(e, r, "VEC-017", first_u, first_col, 0);
	} else if (fts.len) {
		step_set_class(r, "VBA-NO-FTS-INDEX");
		step_set(r, STEP_WARN, "full-text index missing on: %s", fts.data);
		step_set_fix(r, fix.data);
		ret = with_advice(e, r, "VEC-045", NULL, NULL, 0);
	} else if (tables_missing(e)) {
		ret = step_set(r, STEP_OK, "full-text and upsert-key indexes present on the tables present (%d of %d); %d "
		               "missing, see tables", e->ntables - tables_missing(e), e->ntables, tables_missing(e));
	} else {
		ret = step_set(r, STEP_OK, "full-text and upsert-key indexes present");
	}
	vb_buf_free(&fix);
	vb_buf_free(&uniq);
	vb_buf_free(&fts);
	return ret;
}

/* Index on the vector column with an ANN method, or NULL. */
static const char *vector_index_def(const struct eng_table *t)
{
	for (int i = 0; i < t->nindexes; i++)
		if (strstr(t->indexdefs[i], "USING hnsw") || strstr(t->indexdefs[i], "USING ivfflat"))
			return t->indexdefs[i];
	return NULL;
}

/* Datus keeps every namespace in the same table, told apart by the namespace column. */
static int table_is_shared(const struct eng_table *t)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, "namespace") == 0)
			return 1;
	return 0;
}

int step_pg_vector_index(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	if (skip_without_tables(e, r))
		return STEP_SKIP;
	int indexed = 0, big_unindexed = 0, shared_indexed = 0;
	const char *first_big = NULL, *first_shared = NULL;
	for (int i = 0; i < e->ntables; i++) {
		const struct eng_table *t = &e->tables[i];
		if (!t->present || !t->is_vector)
			continue;
		const char *def = vector_index_def(t);
		if (def) {
			indexed++;
			if (table_is_shared(t) && !shared_indexed++)
				first_shared = t->name;
			step_add_detail(r, "%s: %s", t->name, def);
			if (!strstr(def, "vector_cosine_ops"))
				step_add_detail(r, "  %s: the index does not use vector_cosine_ops; cosine searches (<=>) "
				                "will not use it", t->name);
		} else if (t->rows_est > VEC_BIG_TABLE_ROWS) {
			big_unindexed++;
			step_add_detail(r, "%s: about %lld rows and no vector index", t->name, (long long)t->rows_est);
			if (!first_big)
				first_big = t->name;
		}
	}
	if (big_unindexed) {
		step_set_class(r, "VBA-NO-VECTOR-INDEX");
		step_set(r, STEP_WARN, "%d large table%s without a vector index (searches scan every row)", big_unindexed,
		         big_unindexed == 1 ? "" : "s");
		return with_advice(e, r, "VEC-046", first_big, NULL, 0);
	}
	if (shared_indexed && e->ext_version && engine_version_cmp(e->ext_version, "0.8.0") < 0) {
		step_add_detail(r, "pgvector %s has no iterative index scans: a filtered search over a shared table gets "
		                "hnsw.ef_search candidates and filters afterwards", e->ext_version);
		step_set_class(r, "VBA-FEW-ROWS");
		step_set(r, STEP_WARN, "%d shared table%s carry an ANN index but pgvector %s cannot iterate: other clients' "
		         "namespace searches come back short (vbadmin re-runs them as exact scans)", shared_indexed,
		         shared_indexed == 1 ? "" : "s", e->ext_version);
		return with_advice(e, r, "VEC-022", first_shared, NULL, 0);
	}
	if (indexed)
		return step_set(r, STEP_OK, "%d vector table%s with an HNSW/IVFFlat index", indexed, indexed == 1 ? "" : "s");
	return step_set(r, STEP_OK, "no vector index (optional; tables are small, searches are exact)");
}

int step_pg_bootstrap(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!need_catalog(e, r))
		return STEP_FAIL;
	if (skip_without_tables(e, r))
		return STEP_SKIP;
	const char *ns = e->vbc.namespace ? e->vbc.namespace : "default";
	int64_t total = 0;
	struct vb_buf list;
	vb_buf_init(&list);
	for (int i = 0; i < e->ntables; i++) {
		struct eng_table *t = &e->tables[i];
		int has_ns = 0;
		for (int c = 0; c < t->ncols; c++)
			has_ns |= strcmp(t->cols[c].name, "namespace") == 0;
		if (!t->present || !has_ns)
			continue;
		char *qs = vb_quote_ident(schema_of(e));
		char *qt = vb_quote_ident(t->name);
		char *sql = vb_xasprintf("SELECT count(*) FROM %s.%s WHERE namespace = $1", qs, qt);
		free(qs);
		free(qt);
		struct vb_error err;
		vb_err_clear(&err);
		struct vb_result *q = engine_query(e, sql, 1, (const char *const[]){ns}, &err);
		free(sql);
		if (!q) {
			vb_buf_free(&list);
			return engine_fail_from(e, r, &err, t->name);
		}
		t->rows_ns = atoll(cell(q, 0, 0));
		done(e, &q);
		total += t->rows_ns;
		vb_buf_printf(&list, "%s%s %lld", list.len ? ", " : "", t->name, (long long)t->rows_ns);
	}
	step_add_detail(r, "rows in namespace %s: %s", ns, list.len ? list.data : "(none)");
	vb_buf_free(&list);
	if (total == 0) {
		step_set_class(r, "VBA-KB-EMPTY");
		step_set(r, STEP_WARN, "no rows for namespace %s yet: run bootstrap-kb", ns);
		return with_advice(e, r, "VEC-047", NULL, NULL, 0);
	}
	return step_set(r, STEP_OK, "%lld rows in namespace %s", (long long)total, ns);
}

int step_pg_smoke(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	const char *table = "semantic_model";
	int dim = engine_table_dim(e, table);
	const struct vb_table_spec *spec = ddl_table_spec(table, dim);
	if (!spec || !e->ops->search_vector)
		return step_set(r, STEP_SKIP, "skipped: backend offers no vector search");
	const char *why = NULL;
	if (!engine_store_ready(e, table, &why))
		return step_set(r, STEP_SKIP, "skipped: the %s store is not ready (%s)", table, why ? why : "see above");
	float *q = vb_xcalloc((size_t)dim, sizeof *q);
	q[0] = 1.0f;
	struct vb_result *res = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int st = e->ops->search_vector(e->h, spec, q, dim, 3, NULL, NULL, &res, &err);
	free(q);
	if (st != VB_OK) {
		engine_fail_from(e, r, &err, "vector search on semantic_model");
		if (!r->advice_id)
			with_advice(e, r, "VEC-048", table, NULL, 0);
		return STEP_FAIL;
	}
	size_t nvec = res ? res->nrows : 0;
	if (res)
		e->ops->result_free(e->h, &res);
	int64_t matching = 0;
	if (e->ops->count(e->h, spec, NULL, &matching, &err) == VB_OK && (int64_t)nvec < (matching < 3 ? matching : 3)) {
		const char *path = VB_SLOT(e->ops, search_path) ? e->ops->search_path(e->h) : NULL;
		step_add_detail(r, "search path: %s", path && *path ? path : "(the backend does not say)");
		step_set_class(r, "VBA-FEW-ROWS");
		step_set(r, STEP_FAIL, "vector search on %s returned %zu of 3 rows though %lld rows match: a short page",
		         table, nvec, (long long)matching);
		return with_advice(e, r, "VEC-022", table, NULL, 0);
	}
	size_t ntext = 0;
	if (e->ops->search_text && (e->ops->caps & VB_CAP_TEXT)) {
		st = e->ops->search_text(e->h, spec, "vbadmin smoke test", 3, NULL, NULL, &res, &err);
		if (st != VB_OK) {
			engine_fail_from(e, r, &err, "text search on semantic_model");
			if (!r->advice_id)
				with_advice(e, r, "VEC-048", table, NULL, 0);
			return STEP_FAIL;
		}
		ntext = res ? res->nrows : 0;
		if (res)
			e->ops->result_free(e->h, &res);
	}
	return step_set(r, STEP_OK, "vector and text search on %s answered (%zu and %zu rows)", table, nvec, ntext);
}
