/* kb/embed_json_read.c - the vectors of an /embeddings answer, read in one pass without building
 * a tree.  Why not jansson here: a batch of 32 x 384 floats is 12k numbers, and jansson's
 * per-character lexer, one allocation per number and locale-swapping strtod cost ~4 ms per
 * batch - more than the server takes, which left the HTTP embedder slower than a Python client
 * (make bench, docs/benchmarks.md).  This reader accepts exactly what jansson accepted: RFC 8259
 * JSON (UTF-8 strings with their escapes, no \u0000, numbers by the JSON grammar, integers that
 * fit a long long, nesting up to MAX_DEPTH), a later duplicate key winning; tests/unit/
 * test_embed_json.c and tests/fuzz/fuzz_embed_json.c hold it to jansson's verdicts.
 * Requests and error texts, where speed does not matter, stay with jansson (embed_json.c). */
#include "embed_json.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

#define MAX_DEPTH 2048 /* jansson's limit; an embeddings answer nests 4 deep */

struct reader {
	const char *p;
	int depth;
	/* the batch */
	float *out;
	size_t n;
	int dim;
	unsigned char *filled;
	size_t items;
	int bad_dim;
	/* the data[] element being read */
	float *row;            /* dim floats */
	size_t row_len;        /* numbers in its "embedding" (may exceed dim: then only counted) */
	int has_emb;           /* saw an "embedding" key */
	int emb_bad;           /* its (last) value is not an array */
	int emb_nonnum;        /* it holds something else than numbers */
	int has_data;          /* the root's (last) "data" is an array */
	int data_bad;          /* an element of it is not an embedding (the answer is unreadable) */
	long long index;       /* its "index", -1 when absent or not a non-negative integer */
};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static void ws(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = is_digit(c) ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF), or 0. */
static int utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	int n = c > 0xf4 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
	if (!n)
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A \u escape at p (after the backslash): \u0000 and unpaired surrogates are refused, as jansson
 * refuses them.  The bytes it spans, or 0. */
static int u_escape(const char *p)
{
	long cp = hex4(p + 1);
	if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return 0;
	if (cp < 0xd800 || cp > 0xdbff)
		return 5;
	long lo = p[5] == '\\' && p[6] == 'u' ? hex4(p + 7) : -1;
	return lo >= 0xdc00 && lo <= 0xdfff ? 11 : 0;
}

/* A string at r->p (the opening quote); *plain: it had no escape, so [*s, *s + *len) is its text. */
static int string(struct reader *r, const char **s, size_t *len, int *plain)
{
	const char *p = r->p + 1;
	*s = p;
	*plain = 1;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;
		int step = 1;
		if (c < 0x20) /* a control character, or the end of the body */
			return -1;
		if (c >= 0x80)
			step = utf8_len((const unsigned char *)p);
		else if (c == '\\') {
			*plain = 0;
			step = p[1] == 'u' ? u_escape(p + 1) + 1 : p[1] && strchr("\"\\/bfnrt", p[1]) ? 2 : 0;
		}
		if (!step || (step == 1 && c == '\\'))
			return -1;
		p += step;
	}
	*len = (size_t)(p - *s);
	r->p = p + 1;
	return 0;
}

/* Digits at *pp into the decimal mantissa *m (at most 19 significant digits; *exact drops to 0
 * when there are more); *e10 -= 1 per digit when they follow the point. */
static void digits(const char **pp, uint64_t *m, int *nd, int *e10, int *exact, int fraction)
{
	const char *p = *pp;
	for (; is_digit(*p); p++) {
		int d = *p - '0';
		if (*m || d) {
			if (*nd < 19)
				*m = *m * 10 + (uint64_t)d, ++*nd;
			else
				*exact = 0;
		}
		*e10 -= fraction;
	}
	*pp = p;
}

/* A number by the JSON grammar; *v its value, *integral: no fraction or exponent.  The usual
 * vector component (a few significant digits, a small exponent) takes Clinger's fast path:
 * mantissa and power of ten are exact doubles, so one multiplication or division rounds once,
 * to the same double strtod returns.  Anything else goes to strtod in the C locale. */
static int number(struct reader *r, double *v, int *integral)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	const char *p = r->p, *start = p;
	uint64_t m = 0;
	int nd = 0, e10 = 0, exact = 1, neg = *p == '-';
	p += neg;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		digits(&p, &m, &nd, &e10, &exact, 0);
	else
		return -1;
	*integral = 1;
	if (*p == '.') {
		*integral = 0;
		if (!is_digit(*++p))
			return -1;
		digits(&p, &m, &nd, &e10, &exact, 1);
	}
	if (*p == 'e' || *p == 'E') {
		*integral = 0;
		p++;
		int esign = *p == '-' ? -1 : 1, e = 0;
		p += *p == '+' || *p == '-';
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++)
			e = e < 10000 ? e * 10 + (*p - '0') : e;
		e10 += esign * e;
	}
	if (*integral && nd >= 19) { /* jansson reads integers as long long and refuses what does not fit */
		errno = 0;
		(void)strtoll(start, NULL, 10);
		if (errno == ERANGE)
			return -1;
	}
	if (exact && m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
		double x = (double)m;
		x = e10 < 0 ? x / pow10[-e10] : x * pow10[e10];
		*v = neg ? -x : x;
	} else {
		errno = 0;
		char *end;
		*v = c_locale ? strtod_l(start, &end, c_locale) : strtod(start, &end);
		if (end != p || (errno == ERANGE && isinf(*v))) /* jansson refuses an overflow too */
			return -1;
	}
	r->p = p;
	return 0;
}

static int value(struct reader *r, int role);

enum role { ANY, ROOT, DATA, ELEMENT, EMBEDDING, INDEX };

static int literal(struct reader *r)
{
	static const char *const words[] = {"true", "false", "null"};
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (!strncmp(r->p, words[i], n)) {
			r->p += n;
			return 0;
		}
	}
	return -1;
}

/* The key as text when it is plain ASCII of at most cap - 1 bytes after its escapes are undone
 * (the only keys that matter are "data", "embedding" and "index"), else NULL. */
static const char *key_text(const char *s, size_t len, int plain, char *buf, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!plain && c == '\\') {
			c = s[++i];
			if (c == 'u') {
				long cp = hex4(s + i + 1);
				if (cp < 0 || cp >= 0x80)
					return NULL;
				c = (char)cp;
				i += 4;
			} else {
				static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
				const char *k = strchr(from, c);
				c = k ? to[k - from] : c;
			}
		}
		if ((unsigned char)c >= 0x80 || n + 1 >= cap)
			return NULL;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

/* The role of the value under key (s, len) of an object in role `in`. */
static int member_role(int in, const char *s, size_t len, int plain)
{
	char buf[16];
	const char *k = in == ROOT || in == ELEMENT ? key_text(s, len, plain, buf, sizeof buf) : NULL;
	if (!k)
		return ANY;
	if (in == ROOT && !strcmp(k, "data"))
		return DATA;
	if (in == ELEMENT && !strcmp(k, "embedding"))
		return EMBEDDING;
	if (in == ELEMENT && !strcmp(k, "index"))
		return INDEX;
	return ANY;
}

/* A data[] element is complete: place its row by "index" (else by position).  A vector of
 * the wrong length is only noted (the caller names both lengths); one of the right length
 * holding something else than numbers makes the answer unreadable. */
static int element_done(struct reader *r)
{
	size_t pos = r->index >= 0 ? (size_t)r->index : r->items;
	r->items++;
	if (r->row_len != (size_t)r->dim) {
		if (!r->bad_dim)
			r->bad_dim = r->row_len ? (int)r->row_len : -1;
		return 0;
	}
	if (pos >= r->n) /* a row no text asked for: ignored, whatever it holds */
		return 0;
	if (r->emb_nonnum)
		return -1;
	memcpy(r->out + pos * (size_t)r->dim, r->row, (size_t)r->dim * sizeof *r->row);
	r->filled[pos] = 1;
	return 0;
}

static int object(struct reader *r, int role)
{
	r->p++;
	if (role == ELEMENT)
		r->has_emb = r->emb_nonnum = 0, r->index = -1, r->row_len = 0;
	ws(r);
	if (*r->p != '}')
		for (;;) {
			const char *s;
			size_t len;
			int plain;
			if (*r->p != '"' || string(r, &s, &len, &plain) < 0)
				return -1;
			ws(r);
			if (*r->p++ != ':')
				return -1;
			ws(r);
			if (value(r, member_role(role, s, len, plain)) < 0)
				return -1;
			ws(r);
			if (*r->p == '}')
				break;
			if (*r->p++ != ',')
				return -1;
			ws(r);
		}
	r->p++;
	/* an element without an "embedding" array: the answer is not an embeddings list */
	if (role == ELEMENT && (!r->has_emb || r->emb_bad || element_done(r) < 0))
		r->data_bad = 1;
	return 0;
}

static int array(struct reader *r, int role)
{
	r->p++;
	if (role == EMBEDDING)
		r->emb_bad = 0;
	if (role == DATA)
		r->has_data = 1;
	int inner = role == DATA ? ELEMENT : ANY;
	ws(r);
	if (*r->p != ']')
		for (;;) {
			if (role == EMBEDDING && (*r->p == '-' || is_digit(*r->p))) {
				double v;
				int integral;
				if (number(r, &v, &integral) < 0)
					return -1;
				if (r->row_len < (size_t)r->dim)
					r->row[r->row_len] = (float)v;
				r->row_len++;
			} else if (role == EMBEDDING) {
				r->emb_nonnum = 1;
				r->row_len++;
				if (value(r, ANY) < 0)
					return -1;
			} else if (value(r, inner) < 0) {
				return -1;
			}
			ws(r);
			if (*r->p == ']')
				break;
			if (*r->p++ != ',')
				return -1;
			ws(r);
		}
	r->p++;
	return 0;
}

/* The batch as if no "data" had been seen: a later "data" key wins, as in jansson's objects. */
static void data_reset(struct reader *r)
{
	memset(r->filled, 0, r->n ? r->n : 1);
	r->items = 0;
	r->bad_dim = 0;
	r->has_data = r->data_bad = 0;
}

/* ROOT: an object, else the answer is unreadable.  DATA, ELEMENT, EMBEDDING: any value, the
 * expected kind (array, object, array) noted, so that a later duplicate key may still win as
 * it does in jansson.  INDEX: any value, kept when a non-negative integer. */
static int value(struct reader *r, int role)
{
	if (++r->depth > MAX_DEPTH)
		return -1;
	int rc = -1;
	char c = *r->p;
	if (role == DATA)
		data_reset(r);
	if (role == EMBEDDING)
		r->has_emb = 1, r->emb_bad = 1, r->emb_nonnum = 0, r->row_len = 0;
	if (role == ROOT) {
		if (c == '{')
			rc = object(r, ROOT);
	} else if (c == '{') {
		rc = object(r, role == ELEMENT ? ELEMENT : ANY);
	} else if (c == '[') {
		rc = array(r, role == DATA || role == EMBEDDING ? role : ANY);
	} else if (c == '"') {
		const char *s;
		size_t len;
		int plain;
		rc = string(r, &s, &len, &plain);
	} else if (c == '-' || is_digit(c)) {
		double v;
		int integral;
		rc = number(r, &v, &integral);
		if (rc == 0 && role == INDEX) /* a huge index is no position of the batch (ignored) */
			r->index = !integral || v < 0 ? -1 : v < 9e15 ? (long long)v : LLONG_MAX;
	} else {
		rc = literal(r);
	}
	if (role == INDEX && !(c == '-' || is_digit(c)))
		r->index = -1;
	if (role == ELEMENT && c != '{')
		r->data_bad = 1;
	r->depth--;
	return rc;
}

int embed_json_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st)
{
	pthread_once(&c_locale_once, c_locale_init);
	struct reader r = {.p = body, .out = out, .n = n, .dim = dim};
	r.filled = vb_xcalloc(n ? n : 1, 1);
	r.row = vb_xmalloc((size_t)(dim > 0 ? dim : 1) * sizeof *r.row);
	ws(&r);
	int rc = value(&r, ROOT);
	if (rc == 0) {
		ws(&r);
		rc = *r.p || !r.has_data || r.data_bad ? -1 : 0; /* nothing may follow the document */
	}
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += r.filled[i];
	st->items = r.items;
	st->bad_dim = r.bad_dim;
	st->complete = rc == 0 && got == n && r.items == n;
	free(r.filled);
	free(r.row);
	return rc;
}
