/* tests/unit/test_table_context.c - the table context of the data-source namespace, as Datus
 * derives it: datus/configuration/agent_config.py (DbConfig fields as written, no defaults;
 * _parse_single_file_db + file_stem_from_uri for sqlite/duckdb; current_db_config() = the first
 * entry) and generation_hooks.py::_sync_semantic_to_db (StarRocks "default_catalog"). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../backends/vb_util.h"
#include "../../config/config.h"
#include "../../kb/table_context.h"

static char dir[256];

static struct config *load(const char *text)
{
	char *p = vb_xasprintf("%s/agent.yml", dir);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	struct config *c = NULL;
	struct vb_error err;
	if (config_load(p, &c, &err) != VB_OK)
		fprintf(stderr, "# config_load: %s\n", err.message);
	free(p);
	return c;
}

static void want(struct config *c, const char *ns, const char *dialect, const char *cat, const char *db,
                 const char *sch, const char *what)
{
	struct kb_table_context tc;
	struct vb_error err;
	if (!ok(kb_table_context_resolve(c, ns, &tc, &err) == VB_OK, "%s: resolves (%s)", what, err.message))
		return;
	is_str(tc.dialect, dialect, "%s: dialect", what);
	is_str(tc.catalog, cat, "%s: catalog", what);
	is_str(tc.database, db, "%s: database", what);
	is_str(tc.schema, sch, "%s: schema", what);
	kb_table_context_free(&tc);
}

/* Every kind of entry Datus gives semantic rows a table context for, including the ones it
 * refuses; files for the sqlite path_pattern live in dir. */
static void test_contexts(void)
{
	char *f1 = vb_xasprintf("%s/b_second.sqlite", dir), *f2 = vb_xasprintf("%s/a_first.sqlite", dir);
	fclose(fopen(f1, "w"));
	fclose(fopen(f2, "w"));
	char *yml = vb_xasprintf(
		"agent:\n  namespace:\n"
		"    sr: {type: starrocks, host: h, port: 9030, database: ssb, username: root}\n"
		"    src: {type: starrocks, host: h, port: 9030, catalog: hive_cat, database: ssb}\n"
		"    pg: {type: postgresql, host: h, database: shop}\n"
		"    pgu: {type: postgresql, uri: 'postgresql://u@h/fromuri'}\n"
		"    sf: {type: snowflake, account: a, catalog: C, database: D, schema: S}\n"
		"    duck: {type: duckdb, uri: 'duckdb:///data/duckdb-demo.duckdb', schema: main}\n"
		"    sq: {type: sqlite, uri: '~/x/california_schools.sqlite'}\n"
		"    glob: {type: sqlite, path_pattern: '%s/*.sqlite'}\n"
		"    noglob: {type: sqlite, path_pattern: '%s/none/*.sqlite'}\n"
		"    bare: {type: sqlite}\n"
		"    multi:\n      type: mysql\n      dbs:\n        - {name: first, database: one}\n"
		"        - {name: second, database: two}\n",
		dir, dir);
	struct config *c = load(yml);
	if (!ok(c != NULL, "config loads"))
		return;
	want(c, "sr", "starrocks", "default_catalog", "ssb", "", "StarRocks without catalog");
	want(c, "src", "starrocks", "hive_cat", "ssb", "", "StarRocks with catalog");
	/* DbConfig.schema defaults to "", not public; database is the written field, not the uri's */
	want(c, "pg", "postgresql", "", "shop", "", "PostgreSQL: no schema default");
	want(c, "pgu", "postgresql", "", "", "", "PostgreSQL with uri only: DbConfig.database stays empty");
	want(c, "sf", "snowflake", "C", "D", "S", "Snowflake");
	want(c, "duck", "duckdb", "", "duckdb-demo", "main", "DuckDB: database = uri file stem");
	want(c, "sq", "sqlite", "", "california_schools", "", "SQLite path without scheme");
	want(c, "glob", "sqlite", "", "a_first", "", "SQLite path_pattern: first matching file");
	want(c, "multi", "mysql", "", "one", "", "several entries: the first (current_db_config())");
	struct kb_table_context tc;
	struct vb_error err;
	is_int(kb_table_context_resolve(c, "noglob", &tc, &err), VB_ERR_INVALID, "a path_pattern matching nothing");
	has_str(err.message, "No available database files found under namespace noglob", "Datus's message");
	is_int(kb_table_context_resolve(c, "bare", &tc, &err), VB_ERR_INVALID, "a sqlite entry without a file");
	has_str(err.message, "add uri:", "says what to add");
	is_int(kb_table_context_resolve(c, "nowhere", &tc, &err), VB_ERR_INVALID, "a namespace not in agent.yml");
	has_str(err.message, "namespace 'nowhere' is not in", "names it");
	has_str(err.hint, "sr, src, pg", "and lists the namespaces there");
	config_free(&c);
	free(yml);
	free(f1);
	free(f2);
}

static void test_datus_test_config(void)
{
	/* Datus's own tests/conf/agent.yml (tests/data/README): the namespaces Datus's tests use */
	setenv("STARROCKS_DATABASE", "ssb", 1);
	struct vb_error lerr;
	struct config *dc = NULL;
	if (ok(config_load("tests/data/datus/test_agent.yml", &dc, &lerr) == VB_OK, "Datus's test agent.yml loads (%s)",
	       lerr.message)) {
		/* _parse_single_file_db: database = file_stem_from_uri(uri) */
		want(dc, "duckdb", "duckdb", "", "duck", "", "Datus test config: duckdb uri tests/data/datus_metricflow_db/duck.db");
		want(dc, "ssb_sqlite", "sqlite", "", "SSB", "", "Datus test config: sqlite uri tests/data/SSB.db");
		want(dc, "bird_school", "sqlite", "", "california_schools", "", "Datus test config: sqlite with name and uri");
		/* generation_hooks.py: StarRocks without catalog -> default_catalog */
		want(dc, "starrocks", "starrocks", "default_catalog", "ssb", "", "Datus test config: starrocks");
		want(dc, "superset", "postgresql", "", "examples", "", "Datus test config: postgresql");
		config_free(&dc);
	}
}

static void test_file_stems(void)
{
	static const char *const stems[][2] = {
		{"duckdb:///path/to/demo.duckdb", "demo"}, {"sqlite:////tmp/foo.db", "foo"}, {"/abs/path/bar.duckdb", "bar"},
		{"foo.db", "foo"}, {"a.tar.gz", "a.tar"}, {".hidden", ".hidden"}, {"noext", "noext"},
	};
	for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
		char *s = kb_file_stem(stems[i][0]);
		is_str(s, stems[i][1], "file_stem_from_uri(%s)", stems[i][0]);
		free(s);
	}
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/tcXXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	test_contexts();
	test_datus_test_config();
	test_file_stems();
	char *cmd = vb_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	free(cmd);
	return tap_done();
}
