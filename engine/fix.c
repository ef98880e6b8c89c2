/* engine/fix.c - the "apply a step's fix" use case (see fix.h). */
#include "fix.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "engine.h"

static void push_stmt(char ***out, int *n, const char *start, size_t len)
{
	/* a piece made only of blanks and comments is not a statement */
	int real = 0;
	for (size_t i = 0; i < len && !real; i++) {
		if (start[i] == '-' && i + 1 < len && start[i + 1] == '-') {
			while (i < len && start[i] != '\n')
				i++;
		} else if (start[i] != ' ' && start[i] != '\n' && start[i] != '\t' && start[i] != '\r') {
			real = 1;
		}
	}
	if (!real)
		return;
	while (len && (*start == ' ' || *start == '\n' || *start == '\t'))
		start++, len--;
	*out = vb_xrealloc(*out, (size_t)(*n + 2) * sizeof **out);
	(*out)[(*n)++] = vb_xstrndup(start, len);
	(*out)[*n] = NULL;
}

char **engine_split_sql(const char *text)
{
	char **out = vb_xcalloc(1, sizeof *out);
	int n = 0;
	const char *start = text;
	char quote = 0;
	for (const char *p = text; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (p[0] == '-' && p[1] == '-') {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (*p == ';') {
			push_stmt(&out, &n, start, (size_t)(p - start + 1));
			start = p + 1;
		}
	}
	push_stmt(&out, &n, start, strlen(start));
	return out;
}

static const char *const sql_verbs[] = {"CREATE", "ALTER", "GRANT", "REVOKE", "DROP", "SET", "SELECT", "COMMENT",
                                        "REINDEX", "ANALYZE", "INSERT", "UPDATE", "DELETE", "TRUNCATE"};

static int is_sql(const char *stmt)
{
	size_t n = 0;
	while (isalpha((unsigned char)stmt[n]))
		n++;
	for (size_t i = 0; i < sizeof sql_verbs / sizeof sql_verbs[0]; i++)
		if (strlen(sql_verbs[i]) == n && strncasecmp(stmt, sql_verbs[i], n) == 0)
			return 1;
	return 0;
}

/* The fix without its shell-comment lines, split into statements; NULL when a piece is not SQL. */
char **engine_fix_statements(const char *fix)
{
	struct vb_buf b;
	vb_buf_init(&b);
	for (const char *p = fix; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (*p != '#') {
			vb_buf_addn(&b, p, len);
			vb_buf_addc(&b, '\n');
		}
		p = nl ? nl + 1 : NULL;
	}
	char **stmts = engine_split_sql(b.data ? b.data : "");
	vb_buf_free(&b);
	int ok = stmts[0] != NULL;
	for (int i = 0; stmts[i]; i++)
		ok &= is_sql(stmts[i]);
	if (!ok) {
		ddl_statements_free(stmts);
		return NULL;
	}
	return stmts;
}

int engine_fix_runnable(const struct engine *e)
{
	return e->ops && (e->ops->caps & VB_CAP_SQL) && e->ops->exec_script;
}

int engine_apply_fix(struct engine *e, const char *const *stmts, vb_progress_fn progress, void *ctx,
                     struct vb_error *err)
{
	int n = 0;
	while (stmts[n])
		n++;
	int st = engine_open_backend(e, err);
	if (st != VB_OK)
		return st;
	if (!engine_fix_runnable(e))
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s runs no SQL", e->backend_name);
	return e->ops->exec_script(e->h, stmts, n, progress, ctx, err);
}
