/* engine/embedding.c - see embedding.h. */
#include "embedding.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../config/config.h"

const char *eng_embedding_section(const char *table)
{
	return config_table_section(table);
}

static int locate(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                  const char *table, struct eng_embedding *ee, struct vb_error *err)
{
	memset(ee, 0, sizeof *ee);
	ee->section = eng_embedding_section(table);
	if (!ee->section)
		return vb_err_set(err, VB_ERR_INVALID, "'%s' is not a vector table", table);
	embed_store_of(cfg, vc, backend_override, &ee->store);
	ee->record_path = embed_guard_record_path(&ee->store);
	return embed_guard_read(ee->record_path, ee->section, ee->store.datus_owned, &ee->record, err);
}

static int open_choice(struct eng_embedding *ee, struct vb_error *err)
{
	int st = embedder_open(&ee->choice.opt, &ee->emb, err);
	if (st == VB_OK && ee->choice.hashing)
		embed_choice_describe(&ee->choice, ee->describe, sizeof ee->describe);
	else if (st == VB_OK)
		snprintf(ee->describe, sizeof ee->describe, "%s/%s via %s", ee->choice.registry, ee->choice.name,
		         embedder_describe(ee->emb));
	return st;
}

static void describe_unrunnable(struct eng_embedding *ee)
{
	snprintf(ee->describe, sizeof ee->describe, "%s/%s (%d dimensions): not served", ee->choice.registry,
	         ee->choice.name, ee->choice.model.dim_size);
}

int eng_embedding_for_write(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                            const char *embedder_override, const char *table,
                            const atomic_int *cancel, struct eng_embedding *ee, struct vb_error *err)
{
	int st = locate(cfg, vc, backend_override, table, ee, err);
	if (st == VB_OK)
		st = embed_choose(cfg, ee->section, embedder_override, NULL, &ee->choice, err);
	ee->choice.opt.cancel = cancel;
	if (st == VB_OK)
		st = open_choice(ee, err);
	if (st == VB_OK && !ee->choice.hashing)
		st = embedder_probe(ee->emb, err);
	if (st != VB_OK && !ee->emb)
		describe_unrunnable(ee);
	return st;
}

int eng_embedding_guard(struct eng_embedding *ee, const char *strategy, int replace_confirmed, struct vb_error *err)
{
	return embed_guard_check(ee->record_path, ee->section, strategy, ee->store.datus_owned, &ee->choice.model,
	                         replace_confirmed, &ee->record_due, err);
}

int eng_embedding_record(struct eng_embedding *ee, struct vb_error *err)
{
	if (!ee->record_due)
		return VB_OK;
	ee->record_due = 0;
	return embed_guard_record(ee->record_path, ee->section, &ee->choice.model, err);
}

/* --embedder hashing on a store recorded with another model would search it with the wrong
 * model: refused (the record, not the flag, decides how queries are embedded). */
static int overrides_record(struct eng_embedding *ee)
{
	const struct embed_record *r = &ee->record;
	if (!ee->choice.hashing || !r->present || r->from_default || strcmp(r->registry_name, "hashing") == 0)
		return 0;
	snprintf(ee->choice.registry, sizeof ee->choice.registry, "%.63s", r->registry_name);
	snprintf(ee->choice.name, sizeof ee->choice.name, "%s", r->model_name);
	ee->choice.model.dim_size = atoi(r->dim_size);
	ee->choice.hashing = 0;
	vb_err_set(&ee->why_not, VB_ERR_MISMATCH,
	           "the store was filled with %.40s/%.120s (%.8s dimensions), so its queries must be embedded with that "
	           "model, not with --embedder hashing",
	           r->registry_name, r->model_name, r->dim_size);
	snprintf(ee->why_not.hint, sizeof ee->why_not.hint,
	         "serve %.120s and name it in agent.vbadmin.embedding_endpoints (docs/embeddings.md), or use --mode text",
	         r->model_name);
	return 1;
}

void eng_embedding_for_search(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                              const char *embedder_override, const char *table, struct eng_embedding *ee)
{
	vb_err_clear(&ee->why_not);
	if (locate(cfg, vc, backend_override, table, ee, &ee->why_not) != VB_OK)
		return;
	if (embed_choose(cfg, ee->section, embedder_override, &ee->record, &ee->choice, &ee->why_not) != VB_OK ||
	    overrides_record(ee) || open_choice(ee, &ee->why_not) != VB_OK)
		describe_unrunnable(ee);
}

int eng_embedding_refuse(const struct eng_embedding *ee, const char *mode, struct vb_error *err)
{
	*err = ee->why_not;
	if (!err->status)
		err->status = VB_ERR_NOT_FOUND;
	char msg[sizeof err->message];
	snprintf(msg, sizeof msg, "%.10s search needs the store's embedding model: %.440s", mode, ee->why_not.message);
	snprintf(err->message, sizeof err->message, "%s", msg);
	snprintf(err->detail, sizeof err->detail, "--mode text searches without embeddings and still answers");
	return err->status;
}

void eng_embedding_close(struct eng_embedding *ee)
{
	embedder_close(&ee->emb);
	free(ee->record_path);
	ee->record_path = NULL;
}

int eng_embedding_configured(const struct config *cfg, const char *section, const char *embedder_override,
                             struct embed_choice *c, char *line, size_t size, struct vb_error *err)
{
	vb_err_clear(err);
	int st = embed_choose(cfg, section, embedder_override, NULL, c, err);
	if (st == VB_OK)
		embed_choice_describe(c, line, size);
	else if (c->name[0])
		snprintf(line, size, "%s/%s (%d dimensions): not served", c->registry, c->name, c->model.dim_size);
	else
		snprintf(line, size, "none: %s", err->message);
	return st;
}
