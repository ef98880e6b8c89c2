/* backends/vb_filter.h - the filter model of Datus spec 1.2: build, parse, free, evaluate.
 * Shared by the engine (parsing --where), the embedded backend and plugins. */
#ifndef VB_FILTER_H
#define VB_FILTER_H

#include "vb.h"

/* Builders; each returns a heap node owned by the caller (vb_filter_free). Strings are copied.
 * vb_filter_like replaces every '*' in pattern with '%', as Datus's like() does. */
struct vb_filter *vb_filter_cond(const char *field, int op, struct vb_value value);
struct vb_filter *vb_filter_eq_text(const char *field, const char *text);
struct vb_filter *vb_filter_in(const char *field, const struct vb_value *values, size_t n);
struct vb_filter *vb_filter_like(const char *field, const char *pattern);
struct vb_filter *vb_filter_and(struct vb_filter **kids, size_t n); /* takes ownership of kids */
struct vb_filter *vb_filter_or(struct vb_filter **kids, size_t n);
struct vb_filter *vb_filter_not(struct vb_filter *kid);
void vb_filter_free(struct vb_filter *f);

/* Parses --where text, e.g.  kind = 'table' AND (name LIKE 'ord*' OR score >= 10)
 * Grammar: expr := or; or := and (OR and)*; and := not (AND not)*; not := NOT not | primary;
 * primary := '(' expr ')' | ident op literal | ident [NOT] IN '(' [literal (',' literal)*] ')'
 *            | ident [NOT] LIKE 'pattern' | ident IS [NOT] NULL;  op := = == != <> > >= < <=;
 * (x NOT IN / NOT LIKE is NOT (x IN / LIKE ...); LIKE patterns get '*' -> '%' as vb_filter_like;
 *  `x = NULL` is IS NULL, `x != NULL` IS NOT NULL, other operators with NULL are an error.)
 * literal := 'text' ('' escapes a quote) | number | TRUE | FALSE | NULL.
 * Keywords are case-insensitive; identifiers may be "double quoted".  NOT and parentheses nest
 * at most 100 levels deep (an error beyond).
 * On error returns NULL and fills err (VB_ERR_INVALID) with the 1-based column and what was
 * expected, e.g. "--where: column 14: expected a value after '=', found end of input". */
struct vb_filter *vb_filter_parse(const char *text, struct vb_error *err);

/* Checks every field against the spec's columns (plus "namespace"):
 * unknown => VB_ERR_INVALID "Unknown column 'x' in filter". */
int vb_filter_check(const struct vb_filter *f, const struct vb_table_spec *spec, struct vb_error *err);

/* The rules of one condition that every backend applies alike, so that the same filter gets the
 * same answer everywhere (issue 14): a vector column takes only IS NULL / IS NOT NULL; a LIKE
 * pattern uses the backslash as its escape character, as PostgreSQL and LanceDB do by default
 * (backslash-% is a literal %, two backslashes one backslash), and may not end in a lone one.
 * VB_OK or VB_ERR_INVALID with a message naming the field. */
int vb_filter_cond_rules(const struct vb_filter *f, int column_is_vector, struct vb_error *err);

/* Canonical text form (Datus LanceDB build_where rules), used for display and tests:
 * (status = 'active' AND score >= 80 AND (type = 'A' OR type = 'B') AND deleted_at IS NOT NULL) */
char *vb_filter_to_string(const struct vb_filter *f);
/* The same with errors reported: a NULL value with an operator other than = / != gives
 * "Operator > is invalid with NULL (field: x)", an empty name "Identifier cannot be empty".
 * *out is NULL for a NULL filter (no filter) and on failure.  vb_filter_to_string returns NULL
 * in both cases. */
int vb_filter_render(const struct vb_filter *f, char **out, struct vb_error *err);

/* "=", "!=", ">", ">=", "<", "<=", "IN", "LIKE"; NULL for an unknown op. */
const char *vb_filter_op_text(int op);
/* A double the way Python's repr prints it ("80.0", "0.1", "1e+20"), as build_where does. */
void vb_filter_format_double(double d, char *out, size_t len);

#endif
