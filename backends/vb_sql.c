/* backends/vb_sql.c - identifier quoting and the shared full-text expression. */
#include "vb_sql.h"

#include <stdlib.h>
#include <string.h>

#include "vb_util.h"

/* PostgreSQL reserved key words (SQL Key Words appendix, "reserved" in PostgreSQL): an
 * identifier spelled like one of these must be quoted. */
static const char *const reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case",
	"cast", "check", "collate", "column", "constraint", "create", "current_catalog",
	"current_date", "current_role", "current_time", "current_timestamp", "current_user",
	"default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
	"for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
	"lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on",
	"only", "or", "order", "placing", "primary", "references", "returning", "select",
	"session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true",
	"union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
};

static int needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 1;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
			return 1;
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(s, reserved[i]) == 0)
			return 1;
	return 0;
}

char *vb_quote_ident(const char *ident)
{
	return needs_quotes(ident) ? vb_quote_ident_always(ident) : vb_xstrdup(ident);
}

char *vb_quote_ident_always(const char *ident)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_addc(&b, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			vb_buf_addc(&b, '"');
		vb_buf_addc(&b, *p);
	}
	vb_buf_addc(&b, '"');
	return vb_buf_steal(&b);
}

char *vb_fts_expression(const struct vb_table_spec *spec)
{
	const char *single[2] = {spec->text_source, NULL};
	const char *const *cols = spec->fts_columns ? spec->fts_columns : single;
	if (!cols[0])
		return NULL;
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "to_tsvector('simple', ");
	for (int i = 0; cols[i]; i++) {
		char *q = vb_quote_ident(cols[i]);
		vb_buf_printf(&b, "%sCOALESCE(%s, '')", i ? " || ' ' || " : "", q);
		free(q);
	}
	vb_buf_addc(&b, ')');
	return vb_buf_steal(&b);
}
