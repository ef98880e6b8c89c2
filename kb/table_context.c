/* kb/table_context.c - table context of the data-source namespace (see the header). */
#include "table_context.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../backends/vb_util.h"

char *kb_file_stem(const char *uri)
{
	if (!uri)
		return vb_xstrdup("");
	const char *sep = strstr(uri, ":///");
	const char *path = uri;
	/* Python's uri.split(":///")[-1]: the text after the LAST ":///" */
	for (; sep; sep = strstr(sep + 1, ":///"))
		path = sep + 4;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* os.path.splitext: the last dot, unless only dots come before it */
	const char *dot = strrchr(base, '.');
	const char *first = base;
	while (*first == '.')
		first++;
	size_t n = dot && dot > first ? (size_t)(dot - base) : strlen(base);
	return vb_xstrndup(base, n);
}

static int is_file_db(const char *type)
{
	return !strcmp(type, "sqlite") || !strcmp(type, "duckdb");
}

/* Datus's get_files_from_glob_pattern: a pattern without * ? [ ] matches nothing; the first
 * regular file matched names the database (glob(3) sorts; Python's glob order is the
 * directory's). */
static char *first_glob_file(const char *pattern)
{
	if (!strpbrk(pattern, "*?[]"))
		return NULL;
	char *expanded = pattern[0] == '~' && getenv("HOME") ? vb_xasprintf("%s%s", getenv("HOME"), pattern + 1)
	                                                     : vb_xstrdup(pattern);
	glob_t g;
	char *found = NULL;
	if (glob(expanded, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !found; i++) {
			struct stat sb;
			if (stat(g.gl_pathv[i], &sb) == 0 && S_ISREG(sb.st_mode))
				found = kb_file_stem(g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(expanded);
	return found;
}

static int file_db_name(const char *ns, const struct config_db *db, char **out, struct vb_error *err)
{
	/* Datus looks at path_pattern first, then dbs (one entry per item here), then uri */
	if (db->path_pattern) {
		*out = first_glob_file(db->path_pattern);
		if (!*out)
			return vb_err_set(err, VB_ERR_INVALID,
			                  "No available database files found under namespace %s, path_pattern: `%s` (Datus "
			                  "needs a glob that matches at least one %s file)",
			                  ns, db->path_pattern, db->type);
		return VB_OK;
	}
	if (!db->uri)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "namespace '%s' is a %s entry without uri, dbs or path_pattern; Datus reads its "
		                  "database name from the file name, so add uri: %s:///path/to/file",
		                  ns, db->type, db->type);
	*out = kb_file_stem(db->uri);
	return VB_OK;
}

static int missing_namespace(const struct config *cfg, const char *ns, struct vb_error *err)
{
	struct vb_buf names;
	vb_buf_init(&names);
	for (int i = 0; i < cfg->nnamespaces; i++)
		vb_buf_printf(&names, "%s%s", i ? ", " : "", cfg->namespaces[i].name);
	vb_err_set(err, VB_ERR_INVALID, "namespace '%s' is not in %s", ns,
	           cfg->path ? cfg->path : "agent.yml (no agent.yml was found)");
	snprintf(err->hint, sizeof err->hint,
	         "semantic rows take their dialect, catalog, database and schema from the data source namespace's "
	         "entry, as Datus does; add agent.namespace.%s (type, database, ...) to agent.yml%s%s",
	         ns, names.len ? " or pass --namespace with one of: " : "", names.len ? names.data : "");
	vb_buf_free(&names);
	return VB_ERR_INVALID;
}

int kb_table_context_resolve(const struct config *cfg, const char *ns, struct kb_table_context *out,
                             struct vb_error *err)
{
	memset(out, 0, sizeof *out);
	if (!cfg->path && cfg->nnamespaces == 0) {
		/* no agent.yml at all (vbadmin's embedded default): there is no Datus data source
		 * to follow, so say which context the rows get instead of choosing one silently */
		out->dialect = vb_xstrdup("postgresql");
		out->catalog = vb_xstrdup("");
		out->database = vb_xstrdup("");
		out->schema = vb_xstrdup("");
		out->note = vb_xasprintf("no agent.yml was found, so namespace '%s' has no data source entry: rows get "
		                         "empty catalog, database and schema and sql_table is split the PostgreSQL way "
		                         "(database.schema.table); add agent.namespace.%s with its type to follow that "
		                         "database as Datus does",
		                         ns, ns);
		return VB_OK;
	}
	const struct config_namespace *n = config_find_namespace(cfg, ns);
	const struct config_db *db = n ? config_find_db(n, NULL) : NULL;
	if (!db)
		return missing_namespace(cfg, ns, err);
	out->dialect = vb_xstrdup(db->type);
	out->entry = vb_xstrdup(db->logic_name);
	out->catalog = vb_xstrdup(db->ctx_catalog ? db->ctx_catalog : "");
	out->schema = vb_xstrdup(db->ctx_schema ? db->ctx_schema : "");
	if (is_file_db(db->type)) {
		if (file_db_name(ns, db, &out->database, err) != VB_OK) {
			kb_table_context_free(out);
			return VB_ERR_INVALID;
		}
	} else {
		out->database = vb_xstrdup(db->ctx_database ? db->ctx_database : "");
	}
	if (!strcmp(db->type, "starrocks") && !*out->catalog) {
		free(out->catalog);
		out->catalog = vb_xstrdup("default_catalog");
	}
	return VB_OK;
}

void kb_table_context_free(struct kb_table_context *c)
{
	free(c->dialect);
	free(c->catalog);
	free(c->database);
	free(c->schema);
	free(c->entry);
	free(c->note);
	memset(c, 0, sizeof *c);
}
