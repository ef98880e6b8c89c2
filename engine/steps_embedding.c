/* engine/steps_embedding.c - the "embedding" step of both chains (issue 13, docs/embeddings.md):
 * for the stores vbadmin fills (semantic_model, metrics) the model the configuration runs, the
 * model the store's record names, and the dimension the server actually returns (one request),
 * with advice for each mismatch. */
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "advice.h"
#include "embedding.h"
#include "engine.h"

static void set_advice(struct engine *e, struct step_result *r, const char *advice_id, const char *hint)
{
	int own_hint = hint && *hint;
	if (own_hint)
		step_set_fix(r, hint);
	engine_attach_advice(e, r, advice_get(advice_id), own_hint, NULL, NULL, 0);
}

static const char *recorded(const struct eng_embedding *ee, char *buf, size_t size)
{
	const struct embed_record *rec = &ee->record;
	if (!rec->present || rec->from_default)
		snprintf(buf, size, "nothing yet (%s)", ee->record_path);
	else
		snprintf(buf, size, "%s/%s, %s dimensions (%s)", rec->registry_name, rec->model_name, rec->dim_size,
		         ee->record_path);
	return buf;
}

/* One table's findings: a detail line, and the step's status and message when it is worse. */
static int check_table(struct engine *e, struct step_result *r, const char *table)
{
	struct eng_embedding ee;
	struct vb_error err;
	vb_err_clear(&err);
	int st = eng_embedding_for_write(e->cfg, &e->vbc, e->backend_override, e->embedder_override, table,
	                                 &e->cancelled, &ee, &err);
	char rec[700], served[48] = "-";
	if (ee.emb && ee.choice.hashing)
		snprintf(served, sizeof served, "%d dimensions (built in)", embedder_served_dim(ee.emb));
	else if (ee.emb && embedder_served_dim(ee.emb))
		snprintf(served, sizeof served, "%d dimensions", embedder_served_dim(ee.emb));
	step_add_detail(r, "%s: configured %s; recorded: %s; the embedder returns %s", table, ee.describe,
	                recorded(&ee, rec, sizeof rec), served);
	int status = STEP_OK;
	if (st == VB_ERR_SCHEMA) {
		step_set_class(r, "VBA-DIM-MISMATCH");
		status = step_set(r, STEP_FAIL, "%s: %s", table, err.message);
		set_advice(e, r, "VEC-019", err.hint);
	} else if (st != VB_OK) {
		step_set_class(r, "VBA-EMBED-FAILED");
		status = step_set(r, STEP_FAIL, "%s: %s", table, err.message);
		set_advice(e, r, "VEC-021", err.hint);
	} else if (ee.record.present && !ee.record.from_default && !embed_guard_same(&ee.record, &ee.choice.model)) {
		step_set_class(r, "VBA-MODEL-MISMATCH");
		status = step_set(r, STEP_FAIL, "%s was filled with %s/%s but the configuration runs %s/%s: Datus's check and "
		                  "incremental refuse it, and searches embed with the recorded model", table,
		                  ee.record.registry_name, ee.record.model_name, ee.choice.registry, ee.choice.name);
		char fix[600];
		snprintf(fix, sizeof fix, "# configure and serve the recorded model %s (docs/embeddings.md), or rebuild:\n"
		         "vbadmin bootstrap-kb --components %s --kb_update_strategy overwrite -y --replace-model ...",
		         ee.record.model_name, table);
		set_advice(e, r, "VEC-021", fix);
	}
	eng_embedding_close(&ee);
	return status;
}

int step_embedding(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	static const char *const tables[] = {"semantic_model", "metrics"};
	int worst = STEP_OK;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		struct step_result one = {0};
		int st = check_table(e, &one, tables[i]);
		if (one.detail)
			step_add_detail(r, "%s", one.detail);
		if (st > worst) {
			worst = st;
			step_set(r, st, "%s", one.message);
			step_set_class(r, one.errclass);
			free(r->fix);
			r->fix = one.fix ? vb_xstrdup(one.fix) : NULL;
			r->advice_id = one.advice_id;
			free(r->why);
			r->why = one.why ? vb_xstrdup(one.why) : NULL;
		}
		step_result_clear(&one);
	}
	if (worst == STEP_OK) {
		struct embed_choice c;
		struct vb_error err;
		char line[400];
		eng_embedding_configured(e->cfg, "semantic_model", e->embedder_override, &c, line, sizeof line, &err);
		step_set(r, STEP_OK, "%s%s", line, c.hashing ? "" : ", the store's record agrees");
	}
	return r->status;
}
