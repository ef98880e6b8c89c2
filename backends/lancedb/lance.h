/* backends/lancedb/lance.h - private to the lancedb backend: the handle, the helper process and
 * the pieces the lance_*.c files share. */
#ifndef VB_LANCE_H
#define VB_LANCE_H

#include <sys/types.h>

#include "../vb_util.h"
#include "lance_wire.h"
#include "lancedb.h"

/* The helper process of one open store. */
struct lance_proc {
	pid_t pid;
	int to;      /* its stdin */
	int from;    /* its stdout */
	int err;     /* its stderr, drained while we wait */
	char tail[1024]; /* the last stderr line(s), for error details */
	size_t tail_len;
};

/* A table's columns as the store has them (name and protocol.md type name). */
struct lance_schema {
	char *table;
	int n;
	char **names;
	char **types;
	struct lance_schema *next;
};

struct vb_handle {
	struct lance_proc proc;
	char *dir;        /* the LanceDB directory */
	char *ns;         /* the namespace the directory belongs to */
	char *lib_version;
	struct lance_schema *schemas; /* cache, per table; dropped when vbadmin changes a table */
	struct vb_buf req;
};

/* lance_proc.c: start the helper on dir (create: the directory may be made by a later write). */
int lance_proc_start(struct vb_handle *h, struct vb_error *err);
void lance_proc_stop(struct lance_proc *p);
/* Sends h->req (built with lw_begin ... lw_end) and waits for the reply.  On {ok:false} or a dead
 * helper fills err (status from the reply, the helper's stderr tail as detail) and returns NULL. */
struct lw_val *lance_call(struct vb_handle *h, struct vb_error *err);
/* Starts a request map of n entries (plus "op", counted here) and writes "table" when table != NULL. */
void lance_req(struct vb_handle *h, const char *op, const char *table, uint32_t n);
/* A request with no result beyond ok: sends, frees the reply. */
int lance_call_ok(struct vb_handle *h, struct vb_error *err);

/* lance_schema.c */
const struct lance_schema *lance_schema_get(struct vb_handle *h, const char *table, struct vb_error *err);
void lance_schema_forget(struct vb_handle *h, const char *table);
int lance_schema_has(const struct lance_schema *s, const char *column);

/* lance_where.c: the filter as LanceDB SQL text (Datus build_where), checked against spec; the
 * namespace column, which LanceDB tables do not have (the directory is the namespace), becomes a
 * constant comparison with the handle's namespace.  *out NULL = no filter. */
int lance_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *f, char **out,
                struct vb_error *err);

/* lance_write.c */
int lance_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err);
int lance_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, const char *on,
                 struct vb_error *err);
int lance_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                 const struct vb_rows *values, int64_t *affected, struct vb_error *err);
int lance_delete(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                 int64_t *affected, struct vb_error *err);
int lance_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
                struct vb_error *err);

/* lance_schema.c */
int lance_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int lance_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err);
int lance_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int lance_describe(struct vb_handle *h, const char *table, struct vb_result **out, struct vb_error *err);
int lance_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method,
                       struct vb_error *err);

/* lance_search.c */
int lance_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                     const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err);
int lance_scan(struct vb_handle *h, const struct vb_table_spec *spec, const char *const *select, int64_t offset,
               int64_t limit, struct vb_result **out, struct vb_error *err);
int lance_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                        const struct vb_filter *where, const char *const *select, struct vb_result **out,
                        struct vb_error *err);
int lance_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err);
int lance_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                        int dim, int top_n, const struct vb_filter *where, const char *const *select,
                        struct vb_result **out, struct vb_error *err);

#endif
