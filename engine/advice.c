/* engine/advice.c - advice catalogue lookup and rendering (see advice.h). */
#include "advice.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exitcode.h"

const struct advice advice_table[] = {
#define ADVICE(id, match, step, who, exitc, title, cause, fix) {id, match, step, who, exitc, title, cause, fix},
#include "advice.def"
#undef ADVICE
};
const int advice_count = (int)(sizeof advice_table / sizeof advice_table[0]);

const struct advice *advice_get(const char *id)
{
	if (!id)
		return NULL;
	for (int i = 0; i < advice_count; i++)
		if (strcasecmp(advice_table[i].id, id) == 0)
			return &advice_table[i];
	return NULL;
}

/* Message fragments that pin a situation more precisely than its SQLSTATE (or that stand in
 * for a SQLSTATE libpq does not report on connect).  First match wins, so order matters. */
static const struct {
	const char *needle;
	const char *code;
} text_rules[] = {
	{"password authentication failed", "28P01"},
	{"no password supplied", "VBA-NO-PASSWORD"},
	{"no pg_hba.conf entry", "28000"},
	{"Connection refused", "VBA-CONN-REFUSED"},
	{"could not translate host name", "VBA-CONN-DNS"},
	{"timeout expired", "VBA-CONN-TIMEOUT"},
	{"timed out", "VBA-CONN-TIMEOUT"},
	{"server does not support SSL", "VBA-SSL"},
	{"SSL error", "VBA-SSL"},
	{"server closed the connection unexpectedly", "VBA-SERVER-CRASH"},
	{"canceling statement", "57014"},
	{"is not allow-listed", "VBA-AZURE-ALLOWLIST"},
	{"has no update path", "VBA-EXT-NO-UPDATE-PATH"},
	{"could not load library", "VBA-EXT-LOAD"},
	{"incompatible library", "VBA-EXT-LOAD"},
	{"access method \"hnsw\" does not exist", "VBA-EXT-OLD"},
	{"access method \"ivfflat\" does not exist", "VBA-EXT-OLD"},
	{"could not find function", "VBA-EXT-STALE-LIB"},
	{"must be owner of extension", "VBA-EXT-NOT-OWNER"},
	{"extension \"pgvector\"", "VBA-EXT-NAME"},
	{"permission denied to create extension", "42501"},
	{"permission denied for schema", "VBA-NO-SCHEMA-CREATE"},
	{"permission denied for table", "VBA-NO-TABLE-PRIV"},
	{"permission denied for relation", "VBA-NO-TABLE-PRIV"},
	{"permission denied for sequence", "VBA-NO-TABLE-PRIV"},
	{"different vector dimensions", "VBA-QUERY-DIM"},
	{"dimensional vectors, but", "VBA-DIM-MISMATCH"},
	{"memory required is", "VBA-IVF-MEM"},
	{"more than 2000 dimensions", "VBA-HNSW-DIMS"},
	{"index row size", "VBA-INDEX-ROW-SIZE"},
	{"missing required column: namespace", "VBA-NO-NAMESPACE"},
	{"missing columns:", "VBA-MISSING-COLUMNS"},
	{"Embedding Model error", "VBA-EMBED-FAILED"},
};

/* "role "x" does not exist" and "database "x" does not exist" differ only in the noun. */
static const char *text_class(const char *m)
{
	if (!m || !*m)
		return NULL;
	for (size_t i = 0; i < sizeof text_rules / sizeof text_rules[0]; i++)
		if (strstr(m, text_rules[i].needle))
			return text_rules[i].code;
	const char *p = strstr(m, "\" does not exist");
	if (p) {
		if (strstr(m, "database \"") && strstr(m, "database \"") < p)
			return "3D000";
		if (strstr(m, "role \"") && strstr(m, "role \"") < p)
			return "28000";
	}
	if (strncmp(m, "Table ", 6) == 0 && strstr(m, " does not exist"))
		return "VBA-TABLE-MISSING";
	return NULL;
}

void advice_classify(const char *sqlstate, const char *message, char *out, size_t outlen)
{
	if (sqlstate && *sqlstate) {
		snprintf(out, outlen, "%s", sqlstate);
		return;
	}
	const char *t = text_class(message);
	snprintf(out, outlen, "%s", t ? t : "");
}

static int match_has(const char *match, const char *cls)
{
	size_t n = strlen(cls);
	if (!n)
		return 0;
	for (const char *p = match; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncasecmp(p, cls, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static const struct advice *by_class(const char *cls, const char *step)
{
	if (!cls || !*cls)
		return NULL;
	if (step)
		for (int i = 0; i < advice_count; i++)
			if (advice_table[i].step && strcmp(advice_table[i].step, step) == 0 &&
			    match_has(advice_table[i].match, cls))
				return &advice_table[i];
	for (int i = 0; i < advice_count; i++)
		if (!advice_table[i].step && match_has(advice_table[i].match, cls))
			return &advice_table[i];
	return NULL;
}

const struct advice *advice_lookup(const char *errclass, const char *message, const char *step)
{
	const struct advice *a = NULL;
	/* a VBA- code chosen by a step is already precise; text refines only SQLSTATEs / nothing */
	if (!(errclass && strncmp(errclass, "VBA-", 4) == 0))
		a = by_class(text_class(message), step);
	if (!a)
		a = by_class(errclass, step);
	if (!a)
		a = advice_get(errclass);
	return a;
}

char *advice_render(const char *tmpl, advice_var_fn lookup, void *ctx)
{
	struct vb_buf b;
	vb_buf_init(&b);
	if (!tmpl)
		return vb_buf_steal(&b);
	for (const char *p = tmpl; *p; p++) {
		if (*p == '{') {
			const char *end = strchr(p + 1, '}');
			size_t klen = end ? (size_t)(end - p - 1) : 0;
			int ident = klen > 0 && klen < 32;
			for (size_t k = 0; ident && k < klen; k++)
				if (!(islower((unsigned char)p[1 + k]) || p[1 + k] == '_'))
					ident = 0;
			if (ident) {
				char key[32];
				memcpy(key, p + 1, klen);
				key[klen] = '\0';
				const char *v = lookup ? lookup(ctx, key) : NULL;
				if (v)
					vb_buf_add(&b, v);
				else
					vb_buf_printf(&b, "<%s>", key);
				p = end;
				continue;
			}
		}
		vb_buf_addc(&b, *p);
	}
	return vb_buf_steal(&b);
}

const char *advice_who_name(int who)
{
	return who == ADV_DBA ? "DBA" : "operator";
}

void advice_anchor(const struct advice *a, char *out, size_t outlen)
{
	size_t i = 0;
	for (; a->id[i] && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)a->id[i]);
	out[i] = '\0';
}

static const char *exit_text(int code)
{
	switch (code) {
#define EXIT_CODE(sym, val, text) case val: return text;
#include "exitcodes.def"
#undef EXIT_CODE
	}
	return "";
}

void advice_markdown(struct vb_buf *o)
{
	vb_buf_add(o, "# Troubleshooting\n\n"
	              "<!-- Generated by `make docs` (scripts/gen-docs.sh) from engine/advice.def. Do not edit. -->\n\n"
	              "Every problem `vbadmin check`, `verify`, `ddl apply` and the console recognise, with the exact fix.\n"
	              "`vbadmin advice CODE` prints one entry for a SQLSTATE, Datus error code, vbadmin code or id;\n"
	              "reports fill the `<placeholders>` with the real schema, database, dimension and server version.\n\n"
	              "| id | matches | who acts | exit code | situation |\n|---|---|---|---|---|\n");
	char anchor[32];
	for (int i = 0; i < advice_count; i++) {
		const struct advice *a = &advice_table[i];
		advice_anchor(a, anchor, sizeof anchor);
		vb_buf_printf(o, "| [%s](#%s) | ", a->id, anchor);
		for (const char *p = a->match; *p; p++) {
			if (*p == '|')
				vb_buf_add(o, ", ");
			else
				vb_buf_addc(o, *p);
		}
		vb_buf_printf(o, " | %s | %d | %s |\n", advice_who_name(a->who), a->exit_code, a->title);
	}
	vb_buf_add(o, "\n");
	for (int i = 0; i < advice_count; i++) {
		const struct advice *a = &advice_table[i];
		advice_anchor(a, anchor, sizeof anchor);
		vb_buf_printf(o, "<a id=\"%s\"></a>\n## %s: %s\n\n", anchor, a->id, a->title);
		vb_buf_add(o, "- **Matches:** ");
		int first = 1;
		for (const char *p = a->match; p && *p;) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			vb_buf_add(o, first ? "`" : ", `");
			vb_buf_addn(o, p, len);
			vb_buf_addc(o, '`');
			first = 0;
			p = bar ? bar + 1 : NULL;
		}
		if (a->step)
			vb_buf_printf(o, " (step `%s`)", a->step);
		vb_buf_printf(o, "\n- **Who acts:** %s\n- **Exit code:** %d (%s)\n\n", advice_who_name(a->who),
		              a->exit_code, exit_text(a->exit_code));
		vb_buf_printf(o, "%s\n\n", a->cause);
		char *fix = advice_render(a->fix, NULL, NULL);
		vb_buf_printf(o, "Fix:\n\n```\n%s\n```\n\n", fix);
		free(fix);
	}
}
