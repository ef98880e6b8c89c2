/* engine/advice.h - the advice catalogue of advice.def: lookup by error class (SQLSTATE, Datus
 * code or vbadmin code), message text and step; fix templates filled from the live situation. */
#ifndef ENGINE_ADVICE_H
#define ENGINE_ADVICE_H

#include "../backends/vb_util.h"

enum advice_who { ADV_OPERATOR = 0, ADV_DBA };

struct advice {
	const char *id;     /* "VEC-001" */
	const char *match;  /* "0A000|58P01|VBA-EXT-UNAVAILABLE" */
	const char *step;   /* step name or NULL */
	int who;            /* enum advice_who */
	int exit_code;      /* enum vb_exit */
	const char *title;
	const char *cause;
	const char *fix;    /* template with {placeholders} */
};

extern const struct advice advice_table[];
extern const int advice_count;

/* Entry by id ("VEC-013", case-insensitive), or NULL. */
const struct advice *advice_get(const char *id);

/* Refines a raw error into the class vbadmin reports: the SQLSTATE when there is one (but a
 * libpq connection failure has none, so 28P01 / 3D000 / 28000 / refused / timeout ... are
 * recognised from the text), else a VBA- code; "" when nothing is known.  out >= 24 bytes. */
void advice_classify(const char *sqlstate, const char *message, char *out, size_t outlen);

/* Best advice for an error: a message-text pattern first (the same SQLSTATE means different
 * things: 42501 for an extension vs a table), then (class, step), then class alone.
 * NULL when nothing matches.  message and step may be NULL. */
const struct advice *advice_lookup(const char *errclass, const char *message, const char *step);

/* Fills {placeholders} of tmpl through lookup (NULL lookup or an unknown key -> "<key>"). */
typedef const char *(*advice_var_fn)(void *ctx, const char *key);
char *advice_render(const char *tmpl, advice_var_fn lookup, void *ctx);

const char *advice_who_name(int who); /* "operator" / "DBA" */
/* Docs anchor, e.g. "vec-013" (static buffer per call is not used: writes into out). */
void advice_anchor(const struct advice *a, char *out, size_t outlen);

/* docs/troubleshooting.md, generated from the table. */
void advice_markdown(struct vb_buf *out);

#endif
