/* backends/vb_util.h - small helpers shared by every layer: allocation, string buffers,
 * error filling and result building.  The lowest layer, so engine/, ddl/, tui/ and the
 * backends may all use it; it includes no driver headers. */
#ifndef VB_UTIL_H
#define VB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "vb.h"

#if defined(__GNUC__)
#define VB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VB_NORETURN __attribute__((noreturn))
#else
#define VB_PRINTF(a, b)
#define VB_NORETURN
#endif

/* Allocation that never returns NULL: on failure it calls the fatal hook and exits 5. */
void *vb_xmalloc(size_t n);
void *vb_xcalloc(size_t n, size_t size);
void *vb_xrealloc(void *p, size_t n);
char *vb_xstrdup(const char *s);  /* NULL-safe: NULL in, NULL out */
char *vb_xstrndup(const char *s, size_t n);
char *vb_xasprintf(const char *fmt, ...) VB_PRINTF(1, 2);
char *vb_xvasprintf(const char *fmt, va_list ap);
/* fopen for files vbadmin creates (history, DBA packet, saved DDL): a new file is 0600 whatever
 * the umask, an existing one is made 0600, and a symlink at path is refused (ELOOP).  mode is
 * "w" (truncate) or "a" (append); NULL with errno set on failure. */
FILE *vb_fopen_private(const char *path, const char *mode);
/* Heap copy of at most max bytes of s (0: all; a cut falls before a UTF-8 character, never
 * inside it) with every control character (C0, DEL and the
 * UTF-8 encoded C1 range, which terminals obey as escape sequences) written as \xNN. */
char *vb_text_printable(const char *s, size_t max);
/* vb_text_printable for text quoted inside a message (a user's query, a description): at most
 * max bytes, cut before a UTF-8 character rather than inside it, with "..." added when cut. */
char *vb_text_clip(const char *s, size_t max);
/* fflush + ferror + fclose: -1 with errno when any byte may not have reached the file. */
int vb_fclose_checked(FILE *f);
/* Writes data to path whole or not at all: a 0600 temp file beside it, fsync, rename over path
 * (a symlink at path is replaced, never followed).  -1 with errno (ENOSPC on a full disk). */
int vb_write_file_private(const char *path, const char *data, size_t len);
/* Called before exiting on out-of-memory; the console sets it to restore the terminal. */
extern void (*vb_fatal_hook)(void);
VB_NORETURN void vb_die(const char *fmt, ...) VB_PRINTF(1, 2);

/* Growable NUL-terminated string. */
struct vb_buf {
	char *data;
	size_t len;
	size_t cap;
};
void vb_buf_init(struct vb_buf *b);
void vb_buf_free(struct vb_buf *b);
void vb_buf_reset(struct vb_buf *b);
void vb_buf_add(struct vb_buf *b, const char *s);
void vb_buf_addn(struct vb_buf *b, const char *s, size_t n);
void vb_buf_addc(struct vb_buf *b, char c);
void vb_buf_printf(struct vb_buf *b, const char *fmt, ...) VB_PRINTF(2, 3);
void vb_buf_vprintf(struct vb_buf *b, const char *fmt, va_list ap);
char *vb_buf_steal(struct vb_buf *b);

/* Error filling.  vb_err_set returns status so callers can `return vb_err_set(...)`. */
int vb_err_set(struct vb_error *e, int status, const char *fmt, ...) VB_PRINTF(3, 4);
void vb_err_clear(struct vb_error *e);
const char *vb_status_name(int status);

/* Result building: a backend creates, appends rows and hands it out. */
struct vb_result *vb_result_new(int ncols, const char *const *cols);
/* Appends a row of ncols cells (copied; NULL = SQL NULL); returns the row index. */
size_t vb_result_add_row(struct vb_result *r, const char *const *cells);
void vb_result_set_distance(struct vb_result *r, size_t row, double d);
void vb_result_set_score(struct vb_result *r, size_t row, double s);
/* The two parts of a hybrid score (Datus's vec_sim and bm25 result columns). */
void vb_result_set_parts(struct vb_result *r, size_t row, double vec_sim, double bm25);
void vb_result_destroy(struct vb_result **r);
int vb_result_col(const struct vb_result *r, const char *name); /* -1 if absent */
const char *vb_result_get(const struct vb_result *r, size_t row, int col);

/* Table spec helpers. */
const struct vb_column *vb_spec_column(const struct vb_table_spec *spec, const char *name);
/* Vector text "[v1,v2,...]" as pgvector reads it, %.9g per value (exact for float32). */
char *vb_vector_to_text(const float *v, int dim);

#endif
