/* cli/cli_json.c - see cli_json.h. */
#include "cli_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

void cli_json_emit(FILE *out, json_t *v)
{
	if (!v)
		return;
	json_dumpf(v, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', out);
	json_decref(v);
}

/* Text that is not valid UTF-8 (a store may hold any bytes) with each bad byte as U+FFFD. */
static json_t *repaired_string(const char *s)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		int ok = n > 0;
		for (int k = 1; ok && k < n; k++)
			ok = (p[k] & 0xC0) == 0x80;
		json_t *probe = ok ? json_stringn((const char *)p, (size_t)n) : NULL; /* jansson's own check */
		if (probe) {
			json_decref(probe);
			vb_buf_addn(&b, (const char *)p, (size_t)n);
			p += n;
		} else {
			vb_buf_add(&b, "\xEF\xBF\xBD");
			p++;
		}
	}
	json_t *v = json_string(b.data);
	vb_buf_free(&b);
	return v ? v : json_null();
}

json_t *cli_json_str(const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	return v ? v : repaired_string(s);
}

/* One element of a PostgreSQL array literal starting at *p (after '{' or ','); NULL for the
 * unquoted NULL.  *p ends on the ',' or '}' after it. */
static json_t *pg_element(const char **p)
{
	struct vb_buf b;
	vb_buf_init(&b);
	const char *s = *p;
	int quoted = *s == '"';
	if (quoted) {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			vb_buf_addc(&b, *s);
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ',' && *s != '}')
			vb_buf_addc(&b, *s++);
	}
	*p = s;
	json_t *v = !quoted && b.data && !strcmp(b.data, "NULL") ? json_null() : cli_json_str(b.data ? b.data : "");
	vb_buf_free(&b);
	return v;
}

/* {a,"b c",NULL} -> ["a","b c",null]; NULL when text is not such a literal. */
static json_t *pg_array(const char *text)
{
	if (text[0] != '{')
		return NULL;
	json_t *a = json_array();
	const char *p = text + 1;
	if (*p == '}')
		return a;
	for (;;) {
		json_array_append_new(a, pg_element(&p));
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}' && !p[1])
			return a;
		json_decref(a);
		return NULL;
	}
}

static json_t *array_cell(const char *text)
{
	json_t *v = NULL;
	if (text[0] == '[') {
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		if (v && !json_is_array(v)) {
			json_decref(v);
			v = NULL;
		}
	} else {
		v = pg_array(text);
	}
	return v ? v : cli_json_str(text);
}

static json_t *number_cell(int type, const char *text)
{
	char *end;
	errno = 0;
	if (type == VB_T_INT) {
		long long n = strtoll(text, &end, 10);
		if (!*end && end != text && !errno)
			return json_integer(n);
	} else {
		double d = strtod(text, &end);
		if (!*end && end != text)
			return json_real(d);
	}
	return cli_json_str(text);
}

json_t *cli_json_cell(int type, const char *text)
{
	if (!text)
		return json_null();
	switch (type) {
	case VB_T_BOOL:
		if (!strcmp(text, "t") || !strcmp(text, "true") || !strcmp(text, "1"))
			return json_true();
		if (!strcmp(text, "f") || !strcmp(text, "false") || !strcmp(text, "0"))
			return json_false();
		return cli_json_str(text);
	case VB_T_INT:
	case VB_T_DOUBLE:
		return number_cell(type, text);
	case VB_T_TEXT_ARRAY:
		return array_cell(text);
	default:
		return cli_json_str(text);
	}
}

/* "A/B/C" (the engine's subject_path column) -> ["A","B","C"], as Datus's enriched list. */
static json_t *path_cell(const char *text)
{
	if (!text)
		return json_null();
	json_t *a = json_array();
	for (const char *s = text; *s;) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);
		char *part = vb_xstrndup(s, n);
		json_array_append_new(a, cli_json_str(part));
		free(part);
		if (!slash)
			break;
		s = slash + 1;
	}
	return a;
}

static int column_type(const struct vb_table_spec *spec, const char *name)
{
	const struct vb_column *c = spec ? vb_spec_column(spec, name) : NULL;
	return c ? c->type : -1;
}

json_t *cli_json_rows(const struct vb_table_spec *spec, const struct vb_result *r)
{
	json_t *rows = json_array();
	for (size_t i = 0; r && i < r->nrows; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "rank", json_integer((json_int_t)(i + 1)));
		for (int c = 0; c < r->ncols; c++) {
			const char *name = r->cols[c], *cell = vb_result_get(r, i, c);
			json_object_set_new(o, name, !strcmp(name, "subject_path") ? path_cell(cell)
			                                                            : cli_json_cell(column_type(spec, name), cell));
		}
		if (r->distance)
			json_object_set_new(o, "_distance", json_real(r->distance[i]));
		if (r->vec_sim)
			json_object_set_new(o, "vec_sim", json_real(r->vec_sim[i]));
		if (r->bm25)
			json_object_set_new(o, "bm25", json_real(r->bm25[i]));
		if (r->score)
			json_object_set_new(o, "score", json_real(r->score[i]));
		json_array_append_new(rows, o);
	}
	return rows;
}
