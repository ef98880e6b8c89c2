/* backends/vb_util.c - allocation, string buffers, errors and result building. */
#include "vb_util.h"
#include "vb_float.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

void (*vb_fatal_hook)(void);

void vb_die(const char *fmt, ...)
{
	va_list ap;
	if (vb_fatal_hook)
		vb_fatal_hook();
	fputs("vbadmin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(5);
}

void *vb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		vb_die("out of memory (%zu bytes)", n);
	return p;
}

void *vb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		vb_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *vb_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		vb_die("out of memory (%zu bytes)", n);
	return q;
}

char *vb_xstrdup(const char *s)
{
	return s ? vb_xstrndup(s, strlen(s)) : NULL;
}

char *vb_xstrndup(const char *s, size_t n)
{
	char *p = vb_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *vb_xvasprintf(const char *fmt, va_list ap)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_vprintf(&b, fmt, ap);
	return vb_buf_steal(&b);
}

char *vb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vb_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void vb_buf_init(struct vb_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void vb_buf_free(struct vb_buf *b)
{
	free(b->data);
	vb_buf_init(b);
}

void vb_buf_reset(struct vb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void buf_reserve(struct vb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = vb_xrealloc(b->data, cap);
	b->cap = cap;
}

void vb_buf_addn(struct vb_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void vb_buf_add(struct vb_buf *b, const char *s)
{
	vb_buf_addn(b, s, strlen(s));
}

void vb_buf_addc(struct vb_buf *b, char c)
{
	vb_buf_addn(b, &c, 1);
}

void vb_buf_vprintf(struct vb_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void vb_buf_printf(struct vb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vb_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *vb_buf_steal(struct vb_buf *b)
{
	char *p = b->data ? b->data : vb_xstrdup("");
	vb_buf_init(b);
	return p;
}

int vb_err_set(struct vb_error *e, int status, const char *fmt, ...)
{
	if (!e)
		return status;
	va_list ap;
	e->status = status;
	e->sqlstate[0] = '\0';
	e->detail[0] = '\0';
	e->hint[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return status;
}

void vb_err_clear(struct vb_error *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

const char *vb_status_name(int status)
{
	static const char *const names[] = {
#define VB_STATUS(sym, name, exit, meaning) [sym] = name,
#include "status.def"
#undef VB_STATUS
	};
	if (status < 0 || (size_t)status >= sizeof names / sizeof names[0])
		return "unknown";
	return names[status];
}

struct vb_result *vb_result_new(int ncols, const char *const *cols)
{
	struct vb_result *r = vb_xcalloc(1, sizeof *r);
	r->ncols = ncols;
	r->cols = vb_xcalloc((size_t)(ncols > 0 ? ncols : 1), sizeof *r->cols);
	for (int i = 0; i < ncols; i++)
		r->cols[i] = vb_xstrdup(cols[i]);
	return r;
}

static size_t result_cap(size_t n)
{
	size_t cap = 1;
	while (cap < n)
		cap *= 2;
	return cap;
}

size_t vb_result_add_row(struct vb_result *r, const char *const *cells)
{
	size_t row = r->nrows++;
	size_t ncols = (size_t)(r->ncols > 0 ? r->ncols : 1);
	/* capacity is always result_cap(nrows): grow when row crosses a power of two */
	if (row == 0 || (row & (row - 1)) == 0) {
		size_t cap = result_cap(row + 1);
		r->cells = vb_xrealloc(r->cells, cap * ncols * sizeof *r->cells);
		if (r->distance)
			r->distance = vb_xrealloc(r->distance, cap * sizeof *r->distance);
		if (r->vec_sim)
			r->vec_sim = vb_xrealloc(r->vec_sim, cap * sizeof *r->vec_sim);
		if (r->bm25)
			r->bm25 = vb_xrealloc(r->bm25, cap * sizeof *r->bm25);
		if (r->score)
			r->score = vb_xrealloc(r->score, cap * sizeof *r->score);
	}
	for (int c = 0; c < r->ncols; c++)
		r->cells[row * (size_t)r->ncols + (size_t)c] = vb_xstrdup(cells ? cells[c] : NULL);
	if (r->distance)
		r->distance[row] = 0;
	if (r->score)
		r->score[row] = 0;
	if (r->vec_sim)
		r->vec_sim[row] = 0;
	if (r->bm25)
		r->bm25[row] = 0;
	return row;
}

void vb_result_set_distance(struct vb_result *r, size_t row, double d)
{
	if (!r->distance)
		r->distance = vb_xcalloc(result_cap(r->nrows), sizeof *r->distance);
	r->distance[row] = d;
}

void vb_result_set_score(struct vb_result *r, size_t row, double s)
{
	if (!r->score)
		r->score = vb_xcalloc(result_cap(r->nrows), sizeof *r->score);
	r->score[row] = s;
}

void vb_result_set_parts(struct vb_result *r, size_t row, double vec_sim, double bm25)
{
	if (!r->vec_sim)
		r->vec_sim = vb_xcalloc(result_cap(r->nrows), sizeof *r->vec_sim);
	if (!r->bm25)
		r->bm25 = vb_xcalloc(result_cap(r->nrows), sizeof *r->bm25);
	r->vec_sim[row] = vec_sim;
	r->bm25[row] = bm25;
}

void vb_result_destroy(struct vb_result **rp)
{
	if (!rp || !*rp)
		return;
	struct vb_result *r = *rp;
	for (size_t i = 0; i < r->nrows * (size_t)r->ncols; i++)
		free(r->cells[i]);
	for (int c = 0; c < r->ncols; c++)
		free(r->cols[c]);
	free(r->cols);
	free(r->cells);
	free(r->distance);
	free(r->score);
	free(r->vec_sim);
	free(r->bm25);
	free(r);
	*rp = NULL;
}

int vb_result_col(const struct vb_result *r, const char *name)
{
	for (int c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c], name) == 0)
			return c;
	return -1;
}

const char *vb_result_get(const struct vb_result *r, size_t row, int col)
{
	if (!r || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cells[row * (size_t)r->ncols + (size_t)col];
}

const struct vb_column *vb_spec_column(const struct vb_table_spec *spec, const char *name)
{
	for (int i = 0; i < spec->ncolumns; i++)
		if (strcmp(spec->columns[i].name, name) == 0)
			return &spec->columns[i];
	return NULL;
}

char *vb_vector_to_text(const float *v, int dim)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_addc(&b, '[');
	for (int i = 0; i < dim; i++) {
		char tmp[VB_FLOAT_TEXT];
		/* %.9g's 9 significant digits: every float32 reads back to the very same bits (vb_float.h) */
		if (i)
			vb_buf_addc(&b, ',');
		vb_buf_addn(&b, tmp, vb_float_format(v[i], tmp));
	}
	vb_buf_addc(&b, ']');
	return vb_buf_steal(&b);
}

FILE *vb_fopen_private(const char *path, const char *mode)
{
	/* O_NOFOLLOW: a symlink planted at path is refused (ELOOP), never written through; an
	 * existing file made with another mode becomes 0600 */
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (mode[0] == 'a' ? O_APPEND : O_TRUNC);
	int fd = open(path, flags, 0600);
	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0600) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	FILE *f = fdopen(fd, mode[0] == 'a' ? "a" : "w");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int vb_fclose_checked(FILE *f)
{
	int bad = fflush(f) != 0 || ferror(f);
	int e = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	errno = bad ? (e ? e : EIO) : 0;
	return bad ? -1 : 0;
}

int vb_write_file_private(const char *path, const char *data, size_t len)
{
	char *tmp = vb_xasprintf("%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC); /* 0600, a new inode: never a planted symlink */
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	int rc = 0;
	for (size_t off = 0; off < len && rc == 0;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			rc = -1;
		} else {
			off += (size_t)w;
		}
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	/* rename replaces whatever is at path (a symlink included) without following it */
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	errno = rc ? e : 0;
	return rc;
}

/* Backs n off over UTF-8 continuation bytes (10xxxxxx) so s[n] starts a character: a byte
 * cut then drops the whole character instead of leaving its first bytes, which a terminal
 * shows as a replacement glyph and a JSON or log reader may reject. */
static size_t utf8_boundary(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

char *vb_text_printable(const char *s, size_t max)
{
	struct vb_buf b;
	vb_buf_init(&b);
	size_t n = s ? strlen(s) : 0;
	if (max && n > max)
		n = utf8_boundary(s, max);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			vb_buf_printf(&b, "\\x%02x", c);
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
			vb_buf_printf(&b, "\\u%04x", (unsigned char)s[i + 1]); /* C1 control, e.g. CSI */
			i++;
		} else {
			vb_buf_addc(&b, (char)c);
		}
	}
	if (!b.data)
		vb_buf_add(&b, "");
	return vb_buf_steal(&b);
}

char *vb_text_clip(const char *s, size_t max)
{
	char *safe = vb_text_printable(s, max);
	if (!max || !s || strlen(s) <= max)
		return safe;
	char *out = vb_xasprintf("%s...", safe);
	free(safe);
	return out;
}
