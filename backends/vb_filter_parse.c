/* backends/vb_filter_parse.c - the --where parser: a hand-written lexer and recursive descent
 * over the grammar in vb_filter.h.  Every error names the 1-based column (in characters) of
 * the token that broke the grammar, what was expected there and what was found. */
#include "vb_filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vb_util.h"

enum tok_type { T_EOF, T_ERR, T_IDENT, T_QIDENT, T_STRING, T_INT, T_DOUBLE, T_LP, T_RP, T_COMMA, T_OP };

struct tok {
	int type;
	size_t start, len; /* source span */
	char *text;        /* decoded identifier or string */
	int op;            /* T_OP: enum vb_op (EQ NE GT GTE LT LTE) */
	int64_t i;
	double d;
};

struct parser {
	const char *src;
	size_t pos;
	struct tok cur;
	struct vb_error *err;
	int failed;
	int depth; /* NOT and '(' levels open: the descent recurses once per level */
};

/* Deeper filters are refused rather than recursed into: 100k '(' (a --where can be 128 KiB)
 * overflowed the stack.  Nobody writes 100 levels by hand. */
#define FILTER_MAX_DEPTH 100

static int column_of(const struct parser *p, size_t byte)
{
	int col = 1;
	for (size_t i = 0; i < byte && p->src[i]; i++)
		if (((unsigned char)p->src[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static void fail_at(struct parser *p, size_t byte, const char *fmt, ...) VB_PRINTF(3, 4);
static void fail_at(struct parser *p, size_t byte, const char *fmt, ...)
{
	if (p->failed)
		return;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	vb_err_set(p->err, VB_ERR_INVALID, "--where: column %d: %s", column_of(p, byte), what);
	p->failed = 1;
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a quoted run (' or ") with the quote doubled as its escape; NULL when unterminated. */
static char *read_quoted(struct parser *p, char q, size_t *end)
{
	struct vb_buf b;
	vb_buf_init(&b);
	size_t i = p->pos + 1;
	for (;;) {
		char c = p->src[i];
		if (!c) {
			vb_buf_free(&b);
			return NULL;
		}
		if (c == q) {
			if (p->src[i + 1] != q)
				break;
			i++;
		}
		vb_buf_addc(&b, c);
		i++;
	}
	*end = i + 1;
	if (!b.data)
		vb_buf_add(&b, "");
	return vb_buf_steal(&b);
}

static void lex_number(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t i = p->pos;
	int is_double = 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	while (is_digit((unsigned char)s[i]))
		i++;
	if (s[i] == '.') {
		is_double = 1;
		i++;
		while (is_digit((unsigned char)s[i]))
			i++;
	}
	if ((s[i] == 'e' || s[i] == 'E') &&
	    (is_digit((unsigned char)s[i + 1]) ||
	     ((s[i + 1] == '-' || s[i + 1] == '+') && is_digit((unsigned char)s[i + 2])))) {
		is_double = 1;
		i += 2;
		while (is_digit((unsigned char)s[i]))
			i++;
	}
	if (is_ident_char((unsigned char)s[i]) || s[i] == '.') {
		size_t j = i;
		while (is_ident_char((unsigned char)s[j]) || s[j] == '.')
			j++;
		fail_at(p, p->pos, "malformed number '%.*s' (a column name that starts with a digit must be "
		        "double-quoted: \"%.*s\")", (int)(j - p->pos), s + p->pos, (int)(j - p->pos), s + p->pos);
		t->type = T_ERR;
		return;
	}
	char *num = vb_xstrndup(s + p->pos, i - p->pos);
	errno = 0;
	if (is_double) {
		t->type = T_DOUBLE;
		t->d = strtod(num, NULL);
	} else {
		t->type = T_INT;
		t->i = strtoll(num, NULL, 10);
	}
	if (errno == ERANGE) {
		fail_at(p, p->pos, "number %s is out of range", num);
		t->type = T_ERR;
	}
	free(num);
	t->len = i - p->pos;
	p->pos = i;
}

static void lex_op(struct parser *p, struct tok *t)
{
	const char *s = p->src + p->pos;
	t->type = T_OP;
	t->len = 1;
	switch (s[0]) {
	case '=':
		t->op = VB_OP_EQ;
		t->len = s[1] == '=' ? 2 : 1;
		break;
	case '!':
		if (s[1] != '=') {
			fail_at(p, p->pos, "unexpected character '!' (did you mean '!='?)");
			t->type = T_ERR;
			return;
		}
		t->op = VB_OP_NE;
		t->len = 2;
		break;
	case '<':
		if (s[1] == '=') {
			t->op = VB_OP_LTE;
			t->len = 2;
		} else if (s[1] == '>') {
			t->op = VB_OP_NE;
			t->len = 2;
		} else {
			t->op = VB_OP_LT;
		}
		break;
	default: /* '>' */
		t->op = s[1] == '=' ? VB_OP_GTE : VB_OP_GT;
		t->len = s[1] == '=' ? 2 : 1;
		break;
	}
	p->pos += t->len;
}

/* '...' is a text value, "..." a quoted name; an empty quoted name could never be a column. */
static void lex_quoted(struct parser *p, struct tok *t, char quote)
{
	size_t end = 0;
	char *text = read_quoted(p, quote, &end);
	if (!text) {
		fail_at(p, p->pos, quote == '\'' ? "unterminated text value: add the closing '"
		                                 : "unterminated quoted name: add the closing \"");
		t->type = T_ERR;
		return;
	}
	if (quote == '"' && !*text) {
		free(text);
		fail_at(p, p->pos, "empty quoted name \"\"");
		t->type = T_ERR;
		return;
	}
	t->type = quote == '\'' ? T_STRING : T_QIDENT;
	t->text = text;
	t->len = end - p->pos;
	p->pos = end;
}

/* A sign or a dot starts a number only when a digit follows, so "-x" and "." stay errors. */
static int starts_number(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	return is_digit(c) || ((c == '-' || c == '+' || c == '.') &&
	                       (is_digit((unsigned char)s[1]) || (s[1] == '.' && is_digit((unsigned char)s[2]))));
}

static void lex_ident(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	size_t i = p->pos;
	while (is_ident_char((unsigned char)s[i]))
		i++;
	t->type = T_IDENT;
	t->text = vb_xstrndup(s + p->pos, i - p->pos);
	t->len = i - p->pos;
	p->pos = i;
}

/* Shows the whole UTF-8 sequence of the offending character, not a broken first byte. */
static void fail_unexpected(struct parser *p, struct tok *t)
{
	const char *s = p->src;
	unsigned char c = (unsigned char)s[p->pos];
	size_t n = 1;
	while (c >= 0x80 && n < 4 && ((unsigned char)s[p->pos + n] & 0xC0) == 0x80)
		n++;
	fail_at(p, p->pos, "unexpected character '%.*s'", (int)n, s + p->pos);
	t->type = T_ERR;
}

static void advance(struct parser *p)
{
	struct tok *t = &p->cur;
	free(t->text);
	memset(t, 0, sizeof *t);
	if (p->failed) {
		t->type = T_ERR;
		return;
	}
	const char *s = p->src;
	while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')
		p->pos++;
	t->start = p->pos;
	unsigned char c = (unsigned char)s[p->pos];
	if (!c) {
		t->type = T_EOF;
	} else if (c == '(' || c == ')' || c == ',') {
		t->type = c == '(' ? T_LP : c == ')' ? T_RP : T_COMMA;
		t->len = 1;
		p->pos++;
	} else if (c == '\'' || c == '"') {
		lex_quoted(p, t, (char)c);
	} else if (starts_number(s + p->pos)) {
		lex_number(p, t);
	} else if (c == '=' || c == '!' || c == '<' || c == '>') {
		lex_op(p, t);
	} else if (is_ident_start(c)) {
		lex_ident(p, t);
	} else {
		fail_unexpected(p, t);
	}
}

static int is_kw(const struct tok *t, const char *kw)
{
	return t->type == T_IDENT && strcasecmp(t->text, kw) == 0;
}

static int is_reserved(const struct tok *t)
{
	static const char *const kws[] = { "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "TRUE", "FALSE" };
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (is_kw(t, kws[i]))
			return 1;
	return 0;
}

/* "end of input", "the text 'abc'", "'AND'" - the found-part of a message. */
static const char *describe(const struct parser *p, const struct tok *t, char *buf, size_t len)
{
	if (t->type == T_EOF)
		return "end of input";
	int n = (int)(t->len > 30 ? 30 : t->len);
	const char *more = t->len > 30 ? "..." : "";
	if (t->type == T_STRING)
		snprintf(buf, len, "the text %.*s%s", n, p->src + t->start, more);
	else
		snprintf(buf, len, "'%.*s%s'", n, p->src + t->start, more);
	return buf;
}

static void expected(struct parser *p, const char *what)
{
	char d[64];
	fail_at(p, p->cur.start, "expected %s, found %s", what, describe(p, &p->cur, d, sizeof d));
}

static struct vb_filter *parse_or(struct parser *p);

/* Reads a literal into *v (strings stay owned by the token until the caller copies them). */
static int parse_literal(struct parser *p, struct vb_value *v, const char *after)
{
	struct tok *t = &p->cur;
	memset(v, 0, sizeof *v);
	switch (t->type) {
	case T_STRING:
		v->type = VB_T_TEXT;
		v->u.s = t->text;
		return 1;
	case T_INT:
		v->type = VB_T_INT;
		v->u.i = t->i;
		return 1;
	case T_DOUBLE:
		v->type = VB_T_DOUBLE;
		v->u.d = t->d;
		return 1;
	case T_IDENT:
		if (is_kw(t, "TRUE") || is_kw(t, "FALSE")) {
			v->type = VB_T_BOOL;
			v->u.b = is_kw(t, "TRUE");
			return 1;
		}
		if (is_kw(t, "NULL")) {
			v->type = VB_T_TEXT;
			v->is_null = 1;
			return 1;
		}
		if (!is_reserved(t)) {
			char what[160];
			snprintf(what, sizeof what, "a value after %s (text values are quoted: '%.40s')", after, t->text);
			expected(p, what);
			return 0;
		}
		break;
	default:
		break;
	}
	char what[120];
	snprintf(what, sizeof what, "a value after %s ('text', a number, TRUE, FALSE or NULL)", after);
	expected(p, what);
	return 0;
}

static struct vb_filter *negate_if(struct vb_filter *f, int neg)
{
	return neg ? vb_filter_not(f) : f;
}

static struct vb_filter *parse_in_list(struct parser *p, const char *field, int neg)
{
	advance(p); /* IN */
	if (p->cur.type != T_LP) {
		expected(p, "'(' after IN");
		return NULL;
	}
	advance(p);
	struct vb_value *vals = NULL;
	char **owned = NULL;
	size_t n = 0;
	struct vb_filter *f = NULL;
	while (n > 0 || p->cur.type != T_RP) {
		struct vb_value v;
		if (!parse_literal(p, &v, n ? "','" : "'('"))
			goto out;
		vals = vb_xrealloc(vals, (n + 1) * sizeof *vals);
		owned = vb_xrealloc(owned, (n + 1) * sizeof *owned);
		owned[n] = NULL;
		if (v.type == VB_T_TEXT && !v.is_null) {
			owned[n] = p->cur.text; /* keep the string alive past advance() */
			p->cur.text = NULL;
		}
		vals[n++] = v;
		advance(p);
		if (p->cur.type == T_COMMA) {
			advance(p);
			continue;
		}
		if (p->cur.type != T_RP) {
			expected(p, "',' or ')' in the IN list");
			goto out;
		}
		break;
	}
	advance(p); /* ')' */
	f = negate_if(vb_filter_in(field, vals, n), neg);
out:
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(vals);
	return f;
}

/* field OP literal.  A NULL only compares with = or != (read as IS [NOT] NULL): SQL's other
 * operators are never true on NULL, which a filter would silently turn into no rows. */
static struct vb_filter *parse_comparison(struct parser *p, const char *field)
{
	struct tok *t = &p->cur;
	int op = t->op;
	char optext[8];
	snprintf(optext, sizeof optext, "'%.*s'", (int)t->len, p->src + t->start);
	advance(p);
	struct vb_value v;
	size_t vstart = p->cur.start;
	if (!parse_literal(p, &v, optext))
		return NULL;
	if (v.is_null && op != VB_OP_EQ && op != VB_OP_NE) {
		fail_at(p, vstart, "Operator %s is invalid with NULL (field: %s); use IS NULL or IS NOT NULL",
		        vb_filter_op_text(op), field);
		return NULL;
	}
	struct vb_filter *f = vb_filter_cond(field, op, v);
	advance(p);
	return f;
}

static struct vb_filter *parse_like(struct parser *p, const char *field, int neg)
{
	advance(p);
	if (p->cur.type != T_STRING) {
		expected(p, "a quoted pattern after LIKE, e.g. 'ord*'");
		return NULL;
	}
	struct vb_filter *f = negate_if(vb_filter_like(field, p->cur.text), neg);
	advance(p);
	return f;
}

static struct vb_filter *parse_is_null(struct parser *p, const char *field)
{
	advance(p);
	int not_null = 0;
	if (is_kw(&p->cur, "NOT")) {
		not_null = 1;
		advance(p);
	}
	if (!is_kw(&p->cur, "NULL")) {
		expected(p, not_null ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
		return NULL;
	}
	struct vb_value v = { .type = VB_T_TEXT, .is_null = 1 };
	struct vb_filter *f = vb_filter_cond(field, not_null ? VB_OP_NE : VB_OP_EQ, v);
	advance(p);
	return f;
}

/* What follows a field name decides the condition's kind; NOT only negates LIKE and IN here
 * (a NOT before a condition is parse_not's). */
static struct vb_filter *parse_after_field(struct parser *p, const char *field)
{
	struct tok *t = &p->cur;
	if (t->type == T_OP)
		return parse_comparison(p, field);
	int neg = 0;
	if (is_kw(t, "NOT")) {
		neg = 1;
		advance(p);
		if (!is_kw(&p->cur, "LIKE") && !is_kw(&p->cur, "IN")) {
			expected(p, "LIKE or IN after NOT");
			return NULL;
		}
	}
	if (is_kw(t, "LIKE"))
		return parse_like(p, field, neg);
	if (is_kw(t, "IN"))
		return parse_in_list(p, field, neg);
	if (is_kw(t, "IS"))
		return parse_is_null(p, field);
	char what[160];
	snprintf(what, sizeof what, "an operator after '%.60s' (=, !=, <>, <, <=, >, >=, LIKE, IN, IS)", field);
	expected(p, what);
	return NULL;
}

static struct vb_filter *parse_condition(struct parser *p)
{
	char *field = p->cur.text;
	p->cur.text = NULL;
	advance(p);
	struct vb_filter *f = parse_after_field(p, field);
	free(field);
	if (p->failed) {
		vb_filter_free(f);
		return NULL;
	}
	return f;
}

static struct vb_filter *parse_not(struct parser *p)
{
	struct tok *t = &p->cur;
	if ((is_kw(t, "NOT") || t->type == T_LP) && p->depth >= FILTER_MAX_DEPTH) {
		fail_at(p, t->start, "NOT and parentheses nest deeper than %d levels; write a flatter filter",
		        FILTER_MAX_DEPTH);
		return NULL;
	}
	if (is_kw(t, "NOT")) {
		advance(p);
		p->depth++;
		struct vb_filter *kid = parse_not(p);
		p->depth--;
		return kid ? vb_filter_not(kid) : NULL;
	}
	if (t->type == T_LP) {
		size_t open = t->start;
		advance(p);
		p->depth++;
		struct vb_filter *f = parse_or(p);
		p->depth--;
		if (!f)
			return NULL;
		if (p->cur.type != T_RP) {
			char what[64];
			snprintf(what, sizeof what, "')' to close the '(' at column %d", column_of(p, open));
			expected(p, what);
			vb_filter_free(f);
			return NULL;
		}
		advance(p);
		return f;
	}
	if ((t->type == T_IDENT && !is_reserved(t)) || t->type == T_QIDENT)
		return parse_condition(p);
	if (t->type != T_ERR)
		expected(p, "a condition (a column name, NOT or '(')");
	return NULL;
}

/* Left-assoc list of `sub` joined by keyword kw, flattened into one AND/OR node. */
static struct vb_filter *parse_list(struct parser *p, const char *kw, struct vb_filter *(*sub)(struct parser *),
                                    struct vb_filter *(*join)(struct vb_filter **, size_t))
{
	struct vb_filter *first = sub(p);
	if (!first)
		return NULL;
	if (!is_kw(&p->cur, kw))
		return first;
	struct vb_filter **kids = vb_xmalloc(sizeof *kids);
	size_t n = 0;
	kids[n++] = first;
	while (is_kw(&p->cur, kw)) {
		advance(p);
		struct vb_filter *next = sub(p);
		if (!next) {
			for (size_t i = 0; i < n; i++)
				vb_filter_free(kids[i]);
			free(kids);
			return NULL;
		}
		kids = vb_xrealloc(kids, (n + 1) * sizeof *kids);
		kids[n++] = next;
	}
	struct vb_filter *f = join(kids, n);
	free(kids);
	return f;
}

static struct vb_filter *parse_and(struct parser *p)
{
	return parse_list(p, "AND", parse_not, vb_filter_and);
}

static struct vb_filter *parse_or(struct parser *p)
{
	return parse_list(p, "OR", parse_and, vb_filter_or);
}

struct vb_filter *vb_filter_parse(const char *text, struct vb_error *err)
{
	struct parser p = { .src = text ? text : "", .err = err };
	advance(&p);
	struct vb_filter *f = parse_or(&p);
	if (f && p.cur.type != T_EOF) {
		expected(&p, "AND, OR or the end of the filter");
		vb_filter_free(f);
		f = NULL;
	}
	free(p.cur.text);
	return f;
}
