/* tests/unit/test_config.c - agent.yml loader: discovery, defaults, namespace shapes, ${VAR},
 * storage/backend resolution, embedding settings, and every bad-input message (file:line, status). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../config/config_options.h"

static char tmp[512];
static int nfile;

static char *write_file(const char *rel, const char *text)
{
	char *path = vb_xasprintf("%s/%s", tmp, rel);
	for (char *q = path + strlen(tmp) + 1; (q = strchr(q, '/')) != NULL; q++) {
		*q = '\0';
		mkdir(path, 0755);
		*q = '/';
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("# cannot write %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* A fresh file per case, so messages name distinct paths. */
static char *yml(const char *text)
{
	char name[64];
	snprintf(name, sizeof name, "case%d/agent.yml", ++nfile);
	return write_file(name, text);
}

static struct config *load_ok(const char *text, const char *name)
{
	char *p = yml(text);
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = config_load(p, &c, &err);
	if (!is_int(rc, VB_OK, "%s: loads", name))
		printf("#   error: %s\n", err.message);
	free(p);
	return c;
}

/* Loads text expecting failure; checks status, "path:line:" and each needle. */
static void load_bad(const char *text, int line, const char *needle1, const char *needle2, const char *name)
{
	char *p = yml(text);
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = config_load(p, &c, &err);
	is_int(rc, VB_ERR_INVALID, "%s: rejected as invalid", name);
	is_int(err.status, VB_ERR_INVALID, "%s: err.status", name);
	ok(c == NULL, "%s: no config returned", name);
	char *where = line ? vb_xasprintf("%s:%d:", p, line) : vb_xstrdup(p);
	has_str(err.message, where, "%s: message names %s", name, where);
	if (needle1)
		has_str(err.message, needle1, "%s: message says '%s'", name, needle1);
	if (needle2)
		has_str(err.message, needle2, "%s: message says '%s'", name, needle2);
	free(where);
	free(p);
	config_free(&c);
}

/* Lazy ${VAR} (Datus agent_config.py resolve_env runs when a value is used and leaves
 * "<MISSING:VAR>" otherwise): text loads, warns at path:line naming the variable, and
 * config_resolve for namespace ns fails with VB_ERR_INVALID naming the same. */
static void unset_bad(const char *text, int line, const char *ns, const char *needle1, const char *needle2,
                      const char *name)
{
	char *p = yml(text);
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_load(p, &c, &err), VB_OK, "%s: loads (unset ${VAR} is lazy, as in Datus)", name);
	char *where = vb_xasprintf("%s:%d:", p, line);
	if (c) {
		ok(c->nunset_vars == 1, "%s: one unset-variable warning", name);
		has_str(c->nunset_vars ? c->unset_vars[0] : "", where, "%s: warning names %s", name, where);
		struct vb_config r;
		is_int(config_resolve(c, ns, NULL, &r, &err), VB_ERR_INVALID, "%s: a command on '%s' is refused", name, ns);
		has_str(err.message, where, "%s: error names %s", name, where);
		if (needle1)
			has_str(err.message, needle1, "%s: error says '%s'", name, needle1);
		if (needle2)
			has_str(err.message, needle2, "%s: error says '%s'", name, needle2);
	}
	free(where);
	free(p);
	config_free(&c);
}

static void test_no_file(void)
{
	char *empty = vb_xasprintf("%s/emptycwd", tmp);
	mkdir(empty, 0755);
	if (chdir(empty) != 0)
		return;
	unsetenv("XDG_DATA_HOME");
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_load(NULL, &c, &err), VB_OK, "no file anywhere: valid empty config");
	ok(c && c->path == NULL, "no file: path is NULL");
	is_int(c->nnamespaces, 0, "no file: no namespaces");
	is_int(c->dim, 384, "default dim 384");
	ok(!config_embedding(c, CONFIG_EMB_SEMANTIC_MODEL)->configured, "no file: no store names a model");
	char *want = vb_xasprintf("%s/home/.datus", tmp);
	is_str(c->home, want, "default home ~/.datus");
	free(want);
	want = vb_xasprintf("%s/home/.local/share/vbadmin", tmp);
	is_str(c->data_dir, want, "default data dir ~/.local/share/vbadmin without XDG_DATA_HOME");
	free(want);
	struct vb_config r;
	is_int(config_resolve(c, NULL, NULL, &r, &err), VB_OK, "no file: resolves");
	is_str(r.backend, "embedded", "no file: embedded backend");
	is_str(r.namespace, "default", "no file: namespace 'default'");
	is_int(r.dim, 384, "no file: resolved dim");
	ok(r.host == NULL, "no file: no host");
	is_int(config_resolve(c, "scratch", NULL, &r, &err), VB_OK, "no namespaces configured: any valid --namespace");
	is_str(r.namespace, "scratch", "--namespace used as row namespace");
	is_int(config_resolve(c, "../etc", NULL, &r, &err), VB_ERR_INVALID, "--namespace with a slash rejected");
	has_str(err.message, "Invalid namespace name '../etc'", "bad --namespace: Datus message");
	config_free(&c);
	ok(c == NULL, "config_free clears the pointer");

	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	config_load(NULL, &c, &err);
	is_str(c->data_dir, "/xdg/data/vbadmin", "data dir from $XDG_DATA_HOME");
	config_free(&c);
	setenv("VBADMIN_DATA_DIR", "/vb/data", 1);
	config_load(NULL, &c, &err);
	is_str(c->data_dir, "/vb/data", "$VBADMIN_DATA_DIR beats $XDG_DATA_HOME");
	is_str(c->data_dir_source, "$VBADMIN_DATA_DIR", "data dir source named");
	config_free(&c);
	c = load_ok("agent:\n  vbadmin:\n    data_dir: ~/kb\n", "vbadmin.data_dir");
	want = vb_xasprintf("%s/home/kb", tmp);
	is_str(c->data_dir, want, "agent.vbadmin.data_dir beats the environment, ~ expanded");
	free(want);
	config_free(&c);
	unsetenv("VBADMIN_DATA_DIR");
	unsetenv("XDG_DATA_HOME");
	free(empty);
}

/* Where agent.yml is looked for, each place beating the ones after it: --config,
 * $VBADMIN_CONFIG, ./agent.yml, ./conf/agent.yml, ~/.datus/conf/agent.yml; run in dir. */
static void discovery_order(void)
{
	struct config *c = NULL;
	struct vb_error err;
	const char *ns_file = "agent:\n  namespace:\n    %s:\n      type: sqlite\n      uri: sqlite:///x.db\n";
	char *t;

	t = vb_xasprintf(ns_file, "fromhome");
	free(write_file("home/.datus/conf/agent.yml", t));
	free(t);
	config_load(NULL, &c, &err);
	ok(c && c->nnamespaces == 1 && strcmp(c->namespaces[0].name, "fromhome") == 0, "~/.datus/conf/agent.yml found last");
	config_free(&c);

	t = vb_xasprintf(ns_file, "fromconf");
	free(write_file("disc/conf/agent.yml", t));
	free(t);
	config_load(NULL, &c, &err);
	ok(c && strcmp(c->namespaces[0].name, "fromconf") == 0, "./conf/agent.yml beats ~/.datus");
	is_str(c->path_source, "./conf/agent.yml", "source ./conf/agent.yml");
	config_free(&c);

	t = vb_xasprintf(ns_file, "fromcwd");
	free(write_file("disc/agent.yml", t));
	free(t);
	config_load(NULL, &c, &err);
	ok(c && strcmp(c->namespaces[0].name, "fromcwd") == 0, "./agent.yml beats ./conf/agent.yml");
	config_free(&c);

	t = vb_xasprintf(ns_file, "fromenv");
	char *envp = write_file("envcfg/agent.yml", t);
	free(t);
	setenv("VBADMIN_CONFIG", envp, 1);
	config_load(NULL, &c, &err);
	ok(c && strcmp(c->namespaces[0].name, "fromenv") == 0, "$VBADMIN_CONFIG beats ./agent.yml");
	is_str(c->path_source, "$VBADMIN_CONFIG", "source $VBADMIN_CONFIG");
	config_free(&c);

	t = vb_xasprintf(ns_file, "explicit");
	char *exp = write_file("explicit/agent.yml", t);
	free(t);
	config_load(exp, &c, &err);
	ok(c && strcmp(c->namespaces[0].name, "explicit") == 0, "--config beats $VBADMIN_CONFIG");
	is_str(c->path_source, "--config", "source --config");
	config_free(&c);
	free(envp);
	free(exp);
}

/* a file named by --config or $VBADMIN_CONFIG must exist: never a silent fallback to another */
static void discovery_missing(const char *dir)
{
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_load("/nonexistent/agent.yml", &c, &err), VB_ERR_INVALID, "--config missing file: invalid");
	has_str(err.message, "/nonexistent/agent.yml", "missing --config: names the file");
	has_str(err.message, "(from --config) does not exist", "missing --config: says so");
	ok(c == NULL, "missing --config: no config");

	setenv("VBADMIN_CONFIG", "/nowhere/x.yml", 1);
	is_int(config_load(NULL, &c, &err), VB_ERR_INVALID, "$VBADMIN_CONFIG missing file: invalid");
	has_str(err.message, "/nowhere/x.yml (from $VBADMIN_CONFIG)", "missing env config: names file and variable");
	unsetenv("VBADMIN_CONFIG");

	is_int(config_load(dir, &c, &err), VB_ERR_INVALID, "--config naming a directory: invalid");
	has_str(err.message, "is a directory", "directory: says so");
}

static void test_discovery(void)
{
	char *dir = vb_xasprintf("%s/disc", tmp);
	mkdir(dir, 0755);
	if (chdir(dir) != 0)
		return;
	discovery_order();
	discovery_missing(dir);
	free(dir);
	if (chdir(tmp) != 0)
		return;
}

static void pg_single_entry_defaults(void)
{
	struct config *c = load_ok("agent:\n"
	                           "  namespace:\n"
	                           "    pg:\n"
	                           "      type: PostgreSQL\n"
	                           "      username: app\n"
	                           "  storage:\n"
	                           "    backends:\n"
	                           "      namespace: pg\n",
	                           "postgres defaults");
	if (!c)
		return;
	const struct config_db *d = &c->namespaces[0].dbs[0];
	is_str(d->type, "postgresql", "type lower-cased");
	is_str(d->logic_name, "pg", "single entry named after its namespace");
	is_str(d->host, "127.0.0.1", "host default");
	is_int(d->port, 5432, "port default");
	ok(d->database == NULL, "database default NULL");
	is_str(d->schema, "public", "schema default");
	is_str(d->sslmode, "prefer", "sslmode default");
	is_int(d->timeout, 30, "timeout default");
	is_int(d->enable_vector_search, 1, "enable_vector_search default true");
	ok(d->password == NULL, "no password");
	is_int(d->line, 4, "entry line");
	is_int(c->namespaces[0].line, 3, "namespace line");
	struct vb_config r;
	struct vb_error err;
	is_int(config_resolve(c, NULL, NULL, &r, &err), VB_OK, "resolves");
	is_str(r.backend, "pgvector", "postgresql storage namespace => pgvector");
	is_str(r.namespace, "pg", "row namespace = storage namespace");
	is_str(r.database, "postgres", "database NULL => postgres");
	is_str(r.host, "127.0.0.1", "resolved host");
	is_int(r.port, 5432, "resolved port");
	is_str(r.username, "app", "resolved user");
	is_str(r.schema, "public", "resolved schema");
	is_str(r.sslmode, "prefer", "resolved sslmode");
	is_int(r.connect_timeout, 30, "resolved timeout");
	is_str(config_backend_source(c, NULL), "storage namespace type postgresql", "backend source explained");
	is_int(config_resolve(c, NULL, "embedded", &r, &err), VB_OK, "override resolves");
	is_str(r.backend, "embedded", "--backend override wins");
	is_str(config_backend_source(c, "embedded"), "--backend", "override source");
	config_free(&c);
}

static void pg_all_fields(void)
{
	struct vb_error err;
	struct config *c = load_ok("agent:\n  namespace:\n    p2:\n      type: postgres\n      host: db\n      port: \"6000\"\n"
	                           "      database: kb\n      schema: vec\n      sslmode: require\n      timeout_seconds: 5\n"
	                           "      enable_vector_search: no\n      password: pw\n"
	                           "  storage:\n    backends:\n      vector:\n        namespace: p2\n",
	                           "type postgres, all fields");
	if (c) {
		const struct config_db *e = &c->namespaces[0].dbs[0];
		is_int(e->port, 6000, "quoted port accepted");
		is_str(e->schema, "vec", "schema");
		is_str(e->sslmode, "require", "sslmode");
		is_int(e->timeout, 5, "timeout_seconds");
		is_int(e->enable_vector_search, 0, "enable_vector_search: no");
		is_str(c->storage_namespace, "p2", "backends.vector.namespace");
		struct vb_config r2;
		config_resolve(c, NULL, NULL, &r2, &err);
		is_str(r2.backend, "pgvector", "type postgres => pgvector");
		is_str(r2.password, "pw", "password reaches vb_config");
		is_str(r2.database, "kb", "database kept");
	}
	config_free(&c);
}

static void pg_backend_without_postgres_storage(void)
{
	struct vb_config r;
	struct vb_error err;
	struct config *c = load_ok("agent:\n  namespace:\n    lite:\n      type: sqlite\n      uri: sqlite:///x.db\n"
	                           "  storage:\n    backends:\n      namespace: lite\n",
	                           "sqlite storage namespace");
	if (c) {
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.backend, "lancedb", "non-postgres storage namespace => lancedb (Datus factory.py: LanceBackend)");
		ok(r.host == NULL, "non-postgres entry gives no connection");
	}
	config_free(&c);

	c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: h\n", "no storage section");
	if (c) {
		config_resolve(c, "pg", NULL, &r, &err);
		is_str(r.backend, "lancedb", "no storage.backends => lancedb (Datus factory.py get_default_backend)");
		is_str(r.data_dir, c->lance_data_dir, "lancedb stores live in Datus's {home}/data");
		is_str(r.namespace, "pg", "row namespace from --namespace");
		is_str(r.host, "h", "connection falls back to the row namespace's entry");
	}
	config_free(&c);
}

static void test_postgres_defaults(void)
{
	pg_single_entry_defaults();
	pg_all_fields();
	pg_backend_without_postgres_storage();
}

static void shapes_datasource_keys(void)
{
	struct config *c = load_ok("agent:\n  datasource:\n    a:\n      type: postgresql\n      host: ha\n"
	                           "  datasources:\n    b:\n      type: postgresql\n      host: hb\n",
	                           "datasource + datasources keys");
	if (c) {
		is_int(c->nnamespaces, 2, "both keys read");
		is_str(c->namespace_key, "datasource, datasources", "keys recorded");
		is_str(config_find_namespace(c, "b")->dbs[0].host, "hb", "entry under datasources");
	}
	config_free(&c);
}

static void shapes_dbs_list(void)
{
	struct config *c = load_ok("agent:\n  namespace:\n    multi:\n      type: postgresql\n      host: shared\n      port: 5440\n"
	                           "      dbs:\n        - name: one\n          database: d1\n        - name: two\n          host: other\n"
	                           "          database: d2\n"
	                           "  storage:\n    backends:\n      namespace: multi\n      db: two\n",
	                           "dbs list");
	if (c) {
		const struct config_namespace *ns = config_find_namespace(c, "multi");
		is_int(ns->ndbs, 2, "two entries");
		is_str(ns->dbs[0].logic_name, "one", "first named one");
		is_str(ns->dbs[0].host, "shared", "entry inherits the namespace host");
		is_int(ns->dbs[0].port, 5440, "entry inherits the namespace port");
		is_str(ns->dbs[1].host, "other", "entry's own host wins");
		struct vb_config r;
		struct vb_error err;
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.database, "d2", "storage db picks the named entry");
		is_str(r.host, "other", "named entry's host");
	}
	config_free(&c);
}

static void shapes_named_entries(void)
{
	struct config *c = load_ok("agent:\n  namespace:\n    named:\n      first:\n        type: postgresql\n        database: f\n"
	                           "      second:\n        type: postgres\n        database: s\n"
	                           "  storage:\n    backends:\n      namespace: named\n",
	                           "named entries");
	if (c) {
		const struct config_namespace *ns = config_find_namespace(c, "named");
		is_int(ns->ndbs, 2, "two named entries");
		is_str(ns->dbs[1].logic_name, "second", "second by key");
		struct vb_config r;
		struct vb_error err;
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.database, "f", "no storage db => first entry");
	}
	config_free(&c);
}

static void shapes_merge_keys(void)
{
	struct config *c = load_ok("base: &pg\n  type: postgresql\n  host: basehost\n  port: 5999\n"
	                           "agent:\n  namespace:\n    m1:\n      <<: *pg\n      host: own\n"
	                           "    m2:\n      <<: [*pg]\n",
	                           "YAML merge keys");
	if (c) {
		const struct config_db *d1 = &config_find_namespace(c, "m1")->dbs[0];
		const struct config_db *d2 = &config_find_namespace(c, "m2")->dbs[0];
		is_str(d1->type, "postgresql", "merge: type from the anchor");
		is_str(d1->host, "own", "merge: explicit key wins");
		is_int(d1->port, 5999, "merge: port from the anchor");
		is_str(d2->host, "basehost", "merge list: host from the anchor");
		is_int(c->nwarnings, 0, "merge: '<<' is not an unknown key");
	}
	config_free(&c);

	load_bad("agent:\n  namespace:\n    loop: &x\n      <<: *x\n", 3, "leads back to this mapping (a cycle)", NULL,
	         "self-referencing merge terminates");
}

static void shapes_empty_and_unknown(void)
{
	struct config *c = load_ok("", "empty file");
	if (c)
		is_int(c->nnamespaces, 0, "empty file: no namespaces");
	config_free(&c);

	c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n      user: bob\n      colour: red\n",
	            "unknown keys");
	if (c) {
		is_int(c->nwarnings, 2, "two warnings");
		has_str(c->nwarnings > 0 ? c->warnings[0] : NULL, "Datus spells it 'username'", "user => username hint");
		has_str(c->nwarnings > 1 ? c->warnings[1] : NULL, ":6: unknown key agent.namespace.pg.colour",
		        "unknown key with line");
	}
	config_free(&c);
}

static void shapes_uri(void)
{
	struct config *c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n"
	                           "      uri: postgresql+psycopg2://u%40x:p%3Ass@dbhost:6543/kbdb?sslmode=require&connect_timeout=7\n",
	                           "postgres uri");
	if (c) {
		const struct config_db *d = &c->namespaces[0].dbs[0];
		is_str(d->username, "u@x", "uri user decoded");
		is_str(d->password, "p:ss", "uri password decoded");
		is_str(d->host, "dbhost", "uri host");
		is_int(d->port, 6543, "uri port");
		is_str(d->database, "kbdb", "uri database");
		is_str(d->sslmode, "require", "uri sslmode");
		is_int(d->timeout, 7, "uri connect_timeout");
	}
	config_free(&c);
}

static void test_namespace_shapes(void)
{
	shapes_datasource_keys();
	shapes_dbs_list();
	shapes_named_entries();
	shapes_merge_keys();
	shapes_empty_and_unknown();
	shapes_uri();
}

static void test_env(void)
{
	setenv("CFGT_HOST", "envhost", 1);
	setenv("CFGT_A", "x", 1);
	setenv("CFGT_B", "y", 1);
	setenv("CFGT_PORT", "7777", 1);
	setenv("CFGT_EMPTY", "", 1);
	struct config *c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${CFGT_HOST}\n"
	                           "      database: db_${CFGT_A}_${CFGT_B}_${CFGT_A}\n      port: ${CFGT_PORT}\n"
	                           "      schema: ${}lit\n      username: ${CFGT_EMPTY}\n",
	                           "${VAR}");
	if (c) {
		const struct config_db *d = &c->namespaces[0].dbs[0];
		is_str(d->host, "envhost", "${VAR} substituted");
		is_str(d->database, "db_x_y_x", "several ${VAR} in one string");
		is_int(d->port, 7777, "${VAR} in port");
		is_str(d->schema, "${}lit", "${} stays literal (as Datus)");
		ok(d->username == NULL, "empty value => unset");
	}
	config_free(&c);
	unsetenv("CFGT_UNSET");
	unset_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      password: pre-${CFGT_UNSET}\n", 5, "pg",
	          "environment variable CFGT_UNSET is not set", "agent.namespace.pg.password", "unset ${VAR}");
	unset_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${CFGT_H:-localhost}\n", 5, "pg",
	          "CFGT_H:-localhost is not set", "${VAR:-default} is not supported", "${VAR:-default}");
	/* type is substituted like any field (agent_config.py resolve_env): unset, it is no load error */
	unsetenv("CFGT_TYPE");
	unset_bad("agent:\n  namespace:\n    pg:\n      type: ${CFGT_TYPE}\n      host: h\n", 4, "pg",
	          "CFGT_TYPE is not set", "agent.namespace.pg.type", "unset ${VAR} in type");
}

static void test_dotenv(void)
{
	char *dir = vb_xasprintf("%s/dotenv", tmp);
	mkdir(dir, 0755);
	if (chdir(dir) != 0)
		return;
	free(write_file("dotenv/.env", "# comment\nexport DOT_HOST=dothost\nDOT_PW='p#w d'\n"
	                               "DOT_DB=\"kb\\\"x\" # trailing comment\nDOT_SCHEMA = plain # note\n"
	                               "CFGT_WINS=fromfile\n"));
	setenv("CFGT_WINS", "fromenv", 1);
	unsetenv("DOT_HOST");
	struct config *c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${DOT_HOST}\n"
	                           "      password: ${DOT_PW}\n      database: ${DOT_DB}\n      schema: ${DOT_SCHEMA}\n"
	                           "      username: ${CFGT_WINS}\n",
	                           ".env");
	if (c) {
		const struct config_db *d = &c->namespaces[0].dbs[0];
		is_str(d->host, "dothost", ".env fills ${VAR} (export prefix)");
		is_str(d->password, "p#w d", ".env single quotes are literal");
		is_str(d->database, "kb\"x", ".env double quotes with escape, trailing comment dropped");
		is_str(d->schema, "plain", ".env unquoted value, spaces around =, comment dropped");
		is_str(d->username, "fromenv", "the environment wins over .env");
		is_str(c->env_file, ".env", "env file recorded");
		ok(getenv("DOT_HOST") == NULL, ".env does not change the process environment");
	}
	config_free(&c);
	unset_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${DOT_NOT_THERE}\n", 5, "pg",
	          "DOT_NOT_THERE is not set", "nor in ./.env", "unset with .env present");

	free(write_file("dotenv/.env", "GOOD=1\nthis line is wrong\n"));
	char *p = yml("agent:\n");
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_load(p, &c, &err), VB_ERR_INVALID, "malformed .env: invalid");
	has_str(err.message, ".env:2: expected NAME=VALUE", "malformed .env: names file:line");
	free(write_file("dotenv/.env", "Q=\"open\n"));
	is_int(config_load(p, &c, &err), VB_ERR_INVALID, "unterminated quote in .env: invalid");
	has_str(err.message, ".env:1: the value's closing quote is missing", "unterminated quote: file:line");
	free(p);
	unsetenv("CFGT_WINS");
	if (chdir(tmp) != 0)
		return;
	free(dir);
}

static void storage_backend_choice(void)
{
	struct config *c = load_ok("agent:\n  namespace:\n    pg:\n      type: postgresql\n"
	                           "  storage:\n    vector_backend: sample\n    backends:\n      namespace: pg\n",
	                           "vector_backend");
	struct vb_config r;
	struct vb_error err;
	if (c) {
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.backend, "sample", "storage.vector_backend names the backend");
		is_str(config_backend_source(c, NULL), "agent.storage.vector_backend", "source vector_backend");
		config_resolve(c, NULL, "pgvector", &r, &err);
		is_str(r.backend, "pgvector", "--backend beats vector_backend");
	}
	config_free(&c);

	c = load_ok("agent:\n  namespace:\n    a:\n      type: postgresql\n      host: ha\n    b:\n      type: sqlite\n"
	            "  storage:\n    backends:\n      namespace: a\n      vector:\n        namespace: \"\"\n"
	            "      relational:\n        namespace: b\n",
	            "per-kind overrides");
	if (c) {
		is_str(c->storage_namespace, "a", "empty vector.namespace falls back to backends.namespace (Datus)");
		is_str(c->storage_rel_namespace, "b", "relational.namespace overrides for its kind");
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.backend, "pgvector", "vector kind decides the backend");
		is_str(r.host, "ha", "vector kind decides the connection");
	}
	config_free(&c);

	c = load_ok("agent:\n  storage:\n    backends:\n      vector:\n        type: lance\n", "backends.vector.type");
	if (c) {
		config_resolve(c, NULL, NULL, &r, &err);
		is_str(r.backend, "lance", "backends.vector.type names the backend");
	}
	config_free(&c);
}

static void embedding_openai_section(void)
{
	struct vb_config r;
	struct vb_error err;
	setenv("CFGT_KEY", "sk-secret", 1);
	struct config *c = load_ok("agent:\n  storage:\n    semantic_model:\n      registry_name: openai\n      model_name: m3\n"
	                           "      dim_size: 1024\n      batch_size: 8\n      base_url: http://127.0.0.1:11434/v1\n"
	                           "      api_key: ${CFGT_KEY}\n",
	                           "openai embedding");
	if (c) {
		const struct config_embedding *e = config_embedding(c, CONFIG_EMB_SEMANTIC_MODEL);
		is_str(e->registry_name, "openai", "registry_name");
		is_int(c->dim, 1024, "dim_size");
		is_int(e->batch_size, 8, "batch_size");
		is_str(e->model_name, "m3", "model_name");
		is_str(e->ext_base_url, "http://127.0.0.1:11434/v1", "base_url (vbadmin's extension in the section)");
		is_str(e->ext_api_key, "sk-secret", "api_key via ${VAR}");
		is_str(e->source, "agent.storage.semantic_model", "source semantic_model");
		ok(config_holds_secret(c, "find sk-secret here"), "the key is one of the config's secrets");
		ok(!config_holds_secret(c, "find sk-secre here"), "and only the key");
		config_resolve(c, NULL, NULL, &r, &err);
		is_int(r.dim, 1024, "dim reaches vb_config");
	}
	config_free(&c);
}

static void embedding_fallbacks(void)
{
	struct config *c = load_ok("agent:\n  storage:\n    metric:\n      model_name: all-MiniLM-L6-v2\n      dim_size: 512\n",
	                           "metric fallback");
	if (c) {
		is_int(c->dim, 512, "metric used without semantic_model");
		const struct config_embedding *e = config_embedding(c, CONFIG_EMB_SEMANTIC_MODEL);
		is_str(e->registry_name, "sentence-transformers", "Datus's default registry");
		is_str(e->source, "agent.storage.metric", "source metric (Datus reuses the model by name)");
	}
	config_free(&c);

	c = load_ok("agent:\n  storage:\n    semantic_model:\n      dim_size: 768\n", "entry without model_name");
	if (c) {
		is_int(c->dim, 384, "entry lacking model_name ignored (Datus) => 384");
		is_int(c->nwarnings, 1, "and reported");
		has_str(c->nwarnings ? c->warnings[0] : NULL, "lacks model_name", "warning names the missing key");
	}
	config_free(&c);
}

static void test_storage_and_embedding(void)
{
	storage_backend_choice();
	embedding_openai_section();
	embedding_fallbacks();
}

static void bad_syntax_and_fields(void)
{
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n     host: x\n", 5, "YAML syntax error", NULL,
	         "bad indentation");
	load_bad("agent:\n  namespace: [a, b\n", 3, "YAML syntax error", NULL, "unclosed flow list");
	load_bad("agent:\n  namespace:\n    pg:\n      type: oracle9\n", 4, "unknown database type 'oracle9'",
	         "accepted: postgresql, postgres, sqlite", "unknown type");
	load_bad("agent:\n  namespace:\n    pg:\n      host: x\n", 4, "has no 'type'", "postgresql", "missing type");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      port: abc\n      password: MARKERPW\n", 5,
	         "port 'abc' is not a number", "1..65535", "port not a number");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      port: 70000\n", 5,
	         "port 70000 is out of range 1..65535", NULL, "port too big");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      port: 0\n", 5, "out of range 1..65535", NULL,
	         "port zero");
}

static void bad_storage_references(void)
{
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n"
	         "  storage:\n    backends:\n      namespace: nope\n",
	         7, "Storage backend namespace 'nope' not found in configuration.", "Namespaces defined: pg",
	         "storage namespace missing");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n"
	         "  storage:\n    backends:\n      namespace: pg\n      relational:\n        namespace: gone\n",
	         9, "Storage backend namespace 'gone' not found", NULL, "relational storage namespace missing");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n"
	         "  storage:\n    backends:\n      namespace: pg\n      db: other\n",
	         8, "Database 'other' not found in namespace 'pg'.", "Entries there: pg", "storage db missing");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      dbs: []\n"
	         "  storage:\n    backends:\n      namespace: pg\n",
	         8, "No databases configured under namespace 'pg'.", NULL, "storage namespace without dbs");
}

static void bad_shapes(void)
{
	load_bad("agent:\n  namespace:\n    bad.name:\n      type: postgresql\n", 3,
	         "Invalid namespace name 'bad.name'. Only alphanumeric characters, underscores, and hyphens are allowed.",
	         NULL, "invalid namespace name");
	load_bad("agent:\n  namespace:\n    - pg\n    - other\n", 3, "agent.namespace must be a mapping", "found a list",
	         "namespace is a list");
	load_bad("agent:\n  namespace:\n    pg: [1, 2]\n", 3, "agent.namespace.pg must be a mapping", "found a list",
	         "namespace entry is a list");
	load_bad("agent:\n  storage:\n    backends:\n      - namespace: pg\n", 4, "agent.storage.backends must be a mapping",
	         NULL, "backends is a list");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      host:\n        name: x\n", 6,
	         "agent.namespace.pg.host must be a single value", "found a mapping", "host is a mapping");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      dbs: {a: 1}\n", 5, "dbs must be a list",
	         NULL, "dbs is a mapping");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      sslmode: maybe\n", 5,
	         "sslmode 'maybe' is not a libpq sslmode", "verify-full", "bad sslmode");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      enable_vector_search: perhaps\n", 5,
	         "is not a boolean", NULL, "bad boolean");
	load_bad("agent:\n  storage:\n    semantic_model:\n      model_name: m\n      dim_size: 20000\n", 5,
	         "dim_size 20000 is out of range 1..16000", NULL, "dim too big");
}

static void bad_top_level_and_uri(void)
{
	load_bad("agent:\n  namespace:\n    a:\n      type: sqlite\n  datasource:\n    a:\n      type: sqlite\n", 6,
	         "namespace 'a' is defined twice (also at line 3)", NULL, "duplicate namespace across keys");
	load_bad("namespace:\n  pg:\n    type: postgresql\n", 1, "no top-level 'agent:' key", NULL, "no agent key");
	load_bad("- a\n- b\n", 1, "must be a mapping with a top-level 'agent:' key", NULL, "top level is a list");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      uri: mysql://u:MARKERPW@h/db\n", 5,
	         "uri is not a postgresql:// URI", NULL, "non-postgres uri");
	load_bad("agent:\n  namespace:\n    pg:\n      type: postgresql\n      uri: postgresql://u:MARKERPW@h:99999/db\n", 5,
	         "port that is not a number in 1..65535", NULL, "uri port out of range");
	load_bad("agent:\n  storage:\n    vector_backend: ../evil\n", 3, "is not a backend name", NULL,
	         "vector_backend with a slash");
}

static void bad_uri_secret(void)
{
	/* secrets never appear in messages */
	char *p = yml("agent:\n  namespace:\n    pg:\n      type: postgresql\n      uri: mysql://u:MARKERPW@h/db\n");
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	config_load(p, &c, &err);
	ok(strstr(err.message, "MARKERPW") == NULL && strstr(err.hint, "MARKERPW") == NULL,
	   "a password in a bad uri is not quoted");
	free(p);
}

static void test_bad_input(void)
{
	bad_syntax_and_fields();
	bad_storage_references();
	bad_shapes();
	bad_top_level_and_uri();
	bad_uri_secret();
}

static void test_resolve_errors(void)
{
	struct config *c = load_ok("agent:\n  namespace:\n    alpha:\n      type: sqlite\n      uri: sqlite:///a.db\n"
	                           "    beta:\n      type: postgresql\n",
	                           "two namespaces");
	if (!c)
		return;
	struct vb_config r;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_resolve(c, "gamma", NULL, &r, &err), VB_ERR_INVALID, "unknown --namespace: invalid");
	has_str(err.message, "namespace 'gamma' is not in", "unknown --namespace: named");
	has_str(err.message, "namespaces there: alpha, beta", "unknown --namespace: lists the existing ones");
	has_str(err.message, c->path, "unknown --namespace: names the file");
	is_int(config_resolve(c, "beta", NULL, &r, &err), VB_OK, "known --namespace resolves");
	is_int(config_resolve(c, "beta", "", &r, &err), VB_ERR_INVALID, "empty --backend rejected");
	config_free(&c);
}

static void mask_is(const char *in, const char *want)
{
	char *m = config_secret_masked(in);
	is_str(m, want, "masked: %s", in);
	free(m);
}

/* issue 14.4: hostile agent.yml shapes end in a clear error at once, never in a hang */
static void test_limits(void)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "a0: &a0 {x: 1}\n");
	for (int i = 1; i < 30; i++) { /* 9^29 merges if expanded */
		vb_buf_printf(&b, "a%d: &a%d {<<: [", i, i);
		for (int j = 0; j < 9; j++)
			vb_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
		vb_buf_add(&b, "]}\n");
	}
	vb_buf_add(&b, "agent:\n  <<: *a29\n");
	load_bad(b.data, 4, "pulls in more than 256 mappings", NULL, "merge bomb");
	vb_buf_reset(&b);
	vb_buf_add(&b, "agent: ");
	for (int i = 0; i < 5000; i++)
		vb_buf_addc(&b, '[');
	for (int i = 0; i < 5000; i++)
		vb_buf_addc(&b, ']');
	load_bad(b.data, 1, "nest deeper than 64 levels", NULL, "nested flow lists");
	vb_buf_reset(&b);
	vb_buf_add(&b, "agent:\n");
	for (int i = 1; i < 70; i++)
		vb_buf_printf(&b, "%*sk%d:\n", i * 2, "", i);
	load_bad(b.data, 0, "nest deeper than 64 levels", NULL, "nested block mappings");
	vb_buf_free(&b);
	load_bad("agent: &x\n  <<: *x\n  namespace: {}\n", 1, "leads back to this mapping (a cycle)", NULL,
	         "self-referencing merge");
	load_bad("agent:\n  namespace: {}\n---\nagent: {}\n", 4, "a second YAML document", NULL, "two documents");
	load_bad("agent:\n  namespace:\n    p: {type: postgresql, host: \"a\\0b\"}\n", 3, "NUL character", NULL,
	         "\\0 in a value");
	struct config *c = load_ok("base: &b {host: h1, port: 5433}\nagent:\n  namespace:\n    p: {<<: *b, type: postgresql}\n"
	                           "    q: {<<: [*b, *b], type: postgresql, host: h2}\n", "merges within the limits");
	if (c) {
		struct vb_config r;
		struct vb_error err;
		config_resolve(c, "p", NULL, &r, &err);
		is_str(r.host, "h1", "merged host");
		is_int(r.port, 5433, "merged port");
	}
	config_free(&c);
}

/* issue 14.3: secrets inside URLs and options strings never reach config show */
static void test_secret_masking(void)
{
	mask_is("postgresql://u:pw@h:5/db?sslmode=require", "postgresql://u:********@h:5/db?sslmode=require");
	mask_is("http://bob:Sekr3t@localhost:9/v1", "http://bob:********@localhost:9/v1");
	mask_is("http://bob@localhost/v1", "http://bob@localhost/v1");
	mask_is("statement_timeout=5s;password=x;sslpassword=y", "statement_timeout=5s;password=********;sslpassword=********");
	mask_is("postgres://h/db?user=u&password=p1&x=2", "postgres://h/db?user=u&password=********&x=2");
	mask_is("target_session_attrs=any", "target_session_attrs=any");
	mask_is("a://x:y@h b://p:q@h", "a://x:********@h b://p:********@h");
	ok(config_secret_masked(NULL) == NULL, "NULL stays NULL");
}

int main(void)
{
	const char *base = getenv("VBTEST_WORK");
	snprintf(tmp, sizeof tmp, "%s/test_config.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	char *home = vb_xasprintf("%s/home", tmp);
	mkdir(home, 0755);
	setenv("HOME", home, 1);
	free(home);
	unsetenv("VBADMIN_CONFIG");
	unsetenv("VBADMIN_DATA_DIR");

	test_no_file();
	test_discovery();
	test_postgres_defaults();
	test_namespace_shapes();
	test_env();
	test_dotenv();
	test_storage_and_embedding();
	test_bad_input();
	test_resolve_errors();
	test_secret_masking();
	test_limits();

	if (chdir("/") == 0) {
		char *cmd = vb_xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
		free(cmd);
	}
	return tap_done();
}
