/* tests/fuzz/fuzz_semantic.c - libFuzzer target: the semantic YAML reader.  The input is the
 * YAML file.  Each input is read three ways: defaults (postgresql, both components), every
 * data source with a dialect picked by the input size, and once more with a callback that
 * fails part-way.  Invariants: validate and read agree; the rows handed out match the counts
 * of the validate pass and carry the strings the spec says are never NULL; a callback error is
 * returned as is; every row converts to cells of its table. */
#include "fuzz_common.h"

#include "../../backends/vb_util.h"
#include "../../ddl/ddl.h"
#include "../../kb/semantic.h"

static const char *const fuzz_sem_dialects[] = {"postgresql", "mysql", "starrocks", "snowflake",
                                                "sqlite",     "duckdb", "oracle",   NULL};

static void fuzz_sem_warn(void *ctx, const char *message)
{
	FUZZ_CHECK(message && *message, "empty warning");
	++*(int *)ctx;
}

struct fuzz_sem_stop {
	long seen, stop_at;
};

static int fuzz_sem_stop_emit(void *ctx, const struct semantic_object *obj, struct vb_error *err)
{
	struct fuzz_sem_stop *s = ctx;
	(void)obj;
	if (++s->seen == s->stop_at)
		return vb_err_set(err, VB_ERR_IO, "fuzz: callback stops at row %ld", s->seen);
	return VB_OK;
}

static void fuzz_sem_check_row(const struct semantic_object *o, int dim)
{
	FUZZ_CHECK(o->kind >= SEMANTIC_TABLE && o->kind <= SEMANTIC_METRIC, "kind %d", o->kind);
	FUZZ_CHECK(o->id && o->name && o->description && o->kind_name, "NULL id/name/description");
	FUZZ_CHECK(o->document >= 1, "document %d", o->document);
	const char *table = o->kind == SEMANTIC_METRIC ? "metrics" : "semantic_model";
	const struct vb_table_spec *spec = ddl_table_spec(table, dim);
	FUZZ_CHECK(spec != NULL, "no spec for %s", table);
	float vec[8] = {0};
	struct vb_value *cells = calloc((size_t)spec->ncolumns + 1, sizeof *cells);
	semantic_object_values(o, spec, vec, o->kind == SEMANTIC_METRIC ? 1 : -1, cells);
	for (int c = 0; c < spec->ncolumns; c++)
		if (!cells[c].is_null && (cells[c].type == VB_T_TEXT || cells[c].type == VB_T_TIMESTAMP))
			FUZZ_CHECK(cells[c].u.s != NULL, "column %s is a NULL string but not SQL NULL",
			           spec->columns[c].name);
	free(cells);
	struct semantic_object *copy = semantic_object_dup(o);
	FUZZ_CHECK(copy && strcmp(copy->id, o->id) == 0, "dup lost the id");
	semantic_object_free(copy);
}

static void fuzz_sem_read(const char *path, const struct semantic_options *opt)
{
	struct semantic_stats vstats, rstats;
	struct vb_error verr, rerr;
	vb_err_clear(&verr);
	vb_err_clear(&rerr);
	memset(&vstats, 0, sizeof vstats);
	memset(&rstats, 0, sizeof rstats);
	int vrc = semantic_validate(path, opt, &vstats, &verr);
	struct semantic_list list = {0};
	int rrc = semantic_read(path, opt, semantic_list_collect, &list, &rstats, &rerr);
	FUZZ_CHECK(vrc == rrc, "validate %d (%s), read %d (%s)", vrc, verr.message, rrc, rerr.message);
	if (rrc != VB_OK) {
		FUZZ_CHECK(rerr.message[0] && strcmp(verr.message, rerr.message) == 0, "messages differ:\n  %s\n  %s",
		           verr.message, rerr.message);
		FUZZ_CHECK(list.n == 0, "%zu rows handed out before a validation error", list.n);
	} else {
		long t = 0, c = 0, m = 0;
		for (size_t i = 0; i < list.n; i++) {
			const struct semantic_object *o = list.items[i];
			fuzz_sem_check_row(o, 8);
			t += o->kind == SEMANTIC_TABLE;
			c += o->kind == SEMANTIC_COLUMN;
			m += o->kind == SEMANTIC_METRIC;
		}
		FUZZ_CHECK(t == vstats.tables && c == vstats.columns && m == vstats.metrics,
		           "rows %ld/%ld/%ld, validate counted %ld/%ld/%ld", t, c, m, vstats.tables, vstats.columns,
		           vstats.metrics);
		FUZZ_CHECK(memcmp(&vstats, &rstats, sizeof vstats) == 0, "stats of validate and read differ");
		if (list.n > 0) { /* stop half-way: the callback's error comes back unchanged */
			struct fuzz_sem_stop stop = {0, (long)(list.n + 1) / 2};
			vb_err_clear(&rerr);
			rrc = semantic_read(path, opt, fuzz_sem_stop_emit, &stop, NULL, &rerr);
			FUZZ_CHECK(rrc == VB_ERR_IO && stop.seen == stop.stop_at && strstr(rerr.message, "fuzz: callback"),
			           "callback error not returned: %d %s", rrc, rerr.message);
		}
	}
	semantic_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	const char *path = fuzz_write_tmp(data, size);
	int warnings = 0;
	struct semantic_options opt = {
		.include_semantic_objects = 1,
		.include_metrics = 1,
		.now = "2024-01-02 03:04:05",
		.yaml_path = "fuzz.yaml",
		.warn = fuzz_sem_warn,
		.warn_ctx = &warnings,
	};
	fuzz_sem_read(path, &opt);
	opt.flags = SEMANTIC_ALL_DATA_SOURCES;
	opt.dialect = fuzz_sem_dialects[size % 7];
	opt.catalog = "cat";
	opt.database = "db";
	opt.schema = "sch";
	opt.include_semantic_objects = (size & 8) == 0;
	fuzz_sem_read(path, &opt);
	return 0;
}
