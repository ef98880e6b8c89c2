/* cli/cli_json.h - every --json document vbadmin writes is built with jansson and printed here,
 * and result cells are typed by their column: booleans, numbers, arrays and null are the same
 * JSON on every backend (docs/json.md). */
#ifndef CLI_JSON_H
#define CLI_JSON_H

#include <stdio.h>

#include <jansson.h>

#include "../backends/vb.h"

/* Prints v as one compact line (keys in insertion order) and releases it.  NULL prints nothing. */
void cli_json_emit(FILE *out, json_t *v);
/* json_string, or JSON null for NULL (jansson refuses invalid UTF-8: those become null too). */
json_t *cli_json_str(const char *s);

/* A result cell as its column's JSON type.  type is an enum vb_type, or -1 for a column the
 * table spec does not know (a string).  NULL text is null.  Booleans arrive as "t"/"f"
 * (PostgreSQL) or "true"/"false" (embedded); arrays as PostgreSQL literals {a,"b c",NULL} or
 * JSON text; both give the same JSON. */
json_t *cli_json_cell(int type, const char *text);

/* The rows of a search result: [{"rank":1, <column>: <typed value>..., "_distance", "vec_sim",
 * "bm25", "score" when the result has them}].  Columns the spec does not list are strings,
 * except "subject_path" (an array). */
json_t *cli_json_rows(const struct vb_table_spec *spec, const struct vb_result *r);

#endif
