/* tests/unit/test_embed_guard.c - the embedding-model record (kb/embed_guard.c) and the model
 * choice (kb/embed_choose.c).  Datus expectations come from datus/storage/storage_cfg.py
 * (save_storage_configs, _find_config_differences, check_storage_config) and
 * datus/storage/embedding_models.py (DEFAULT_MODEL_CONFIG, EmbeddingModel.init_model). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../../backends/vb_util.h"
#include "../../config/config.h"
#include "../../config/config_endpoints.h"
#include "../../kb/embed_choose.h"
#include "../../kb/embed_guard.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return vb_xstrdup("(absent)");
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		vb_buf_addn(&b, buf, n);
	fclose(f);
	return vb_buf_steal(&b);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* What Datus's save_storage_configs (Python ConfigParser.write) leaves for the default model. */
static const char datus_default[] = "[semantic_model]\nregistry_name = sentence-transformers\n"
                                    "model_name = all-MiniLM-L6-v2\ndim_size = 384\n\n";

static void test_paths(void)
{
	struct embed_store s = {.datus_owned = 1, .home = "/h", .data_dir = "/d", .backend = "pgvector",
	                        .database = "kb", .schema = "public", .ns = "sales"};
	char *p = embed_guard_record_path(&s);
	is_str(p, "/h/data/datus_db_sales/datus_db.cfg", "Datus's store: Datus's own datus_db.cfg (rag_storage_path)");
	free(p);
	s.datus_owned = 0;
	p = embed_guard_record_path(&s);
	is_str(p, "/d/pgvector/kb.public.sales.embedding.cfg", "another PostgreSQL store: keyed by database, schema, namespace");
	free(p);
	s.database = "k/../b";
	p = embed_guard_record_path(&s);
	is_str(p, "/d/pgvector/k%2F%2E%2E%2Fb.public.sales.embedding.cfg", "a database name cannot leave the directory");
	free(p);
	s.backend = "embedded";
	p = embed_guard_record_path(&s);
	is_str(p, "/d/sales.embedding.cfg", "vbadmin's embedded store: next to its <namespace>.db");
	free(p);
}

static const struct embed_guard_model mini = {"sentence-transformers", "all-MiniLM-L6-v2", 384};
static const struct embed_guard_model hashing = {"hashing", "hashing", 384};

/* no file is no record; Datus's own record of the same model lets an incremental run go on */
static void record_absent_and_same(const char *path)
{
	struct vb_error err;
	struct embed_record r;
	is_int(embed_guard_read(path, "semantic_model", 1, &r, &err), VB_OK, "no file: no record");
	ok(!r.present, "absent");

	spit(path, datus_default);
	embed_guard_read(path, "semantic_model", 1, &r, &err);
	ok(r.present && embed_guard_same(&r, &mini), "Datus's record of its default model reads back");
	struct stat before;
	stat(path, &before);
	is_int(embed_guard_apply(path, "semantic_model", "incremental", 1, &mini, 0, &err), VB_OK,
	       "the same model: incremental goes on");
	char *text = slurp(path);
	is_str(text, datus_default, "an equal record is left byte for byte");
	free(text);
}

/* a line break in a name, another model in incremental, an unconfirmed replace: refused, the
 * file untouched */
static void record_refusals(const char *path)
{
	struct vb_error err;
	char *text;
	struct embed_guard_model broken = {"openai", "m\n[metric]\nmodel_name = x", 384};
	is_int(embed_guard_apply(path, "semantic_model", "overwrite", 1, &broken, 1, &err), VB_ERR_INVALID,
	       "a model name with a line break is refused, even confirmed (it would write an INI section)");
	has_str(err.message, "model_name holds a control character", "naming the field");
	text = slurp(path);
	is_str(text, datus_default, "and the record is left as it was");
	free(text);

	is_int(embed_guard_apply(path, "semantic_model", "incremental", 1, &hashing, 0, &err), VB_ERR_INVALID,
	       "another model: incremental is refused");
	is_str(err.message,
	       "Embedding model configuration mismatch:\n- Value mismatch in section [semantic_model] for key "
	       "'registry_name': existing='sentence-transformers', new='hashing'.\n- Value mismatch in section "
	       "[semantic_model] for key 'model_name': existing='all-MiniLM-L6-v2', new='hashing'.. If you want to use "
	       "the new model, initialize it first using overwrite mode.",
	       "with Datus's message, keys in the file's order, double period included");
	is_int(embed_guard_apply(path, "semantic_model", "overwrite", 1, &hashing, 0, &err), VB_ERR_MISMATCH,
	       "overwrite with another model needs its own confirmation");
	has_str(err.message, "Datus, which searches it with the recorded model, will not be able to search",
	        "and warns that Datus will not be able to search it");
	has_str(err.hint, "--replace-model", "the hint names the confirmation");
	text = slurp(path);
	is_str(text, datus_default, "refusals change nothing");
	free(text);
}

static void record_replace(const char *path)
{
	struct vb_error err;
	char *text;
	is_int(embed_guard_apply(path, "semantic_model", "overwrite", 1, &hashing, 1, &err), VB_OK,
	       "confirmed: the model is replaced");
	text = slurp(path);
	is_str(text, "[semantic_model]\nregistry_name = hashing\nmodel_name = hashing\ndim_size = 384\n\n",
	       "and the record names the model that produced the vectors, in ConfigParser's layout");
	free(text);
	struct stat st;
	stat(path, &st);
	is_int(st.st_mode & 0777, 0600, "the record is private");
}

static void record_missing_section(const char *path)
{
	struct vb_error err;
	struct embed_record r;
	char *text;
	/* Datus: a file with other sections compares a missing one with DEFAULT_MODEL_CONFIG */
	embed_guard_read(path, "metric", 1, &r, &err);
	ok(r.present && r.from_default && embed_guard_same(&r, &mini), "Datus's file without [metric]: Datus's default");
	is_int(embed_guard_apply(path, "metric", "check", 1, &hashing, 0, &err), VB_OK,
	       "but vbadmin, which records the model that produced the vectors, goes on");
	text = slurp(path);
	has_str(text, "[metric]\nregistry_name = hashing\nmodel_name = hashing\ndim_size = 384\n",
	        "and records [metric] for Datus to read back");
	free(text);
	embed_guard_read(path, "semantic_model", 0, &r, &err);
	ok(r.present && embed_guard_same(&r, &hashing), "the other section is kept");
	embed_guard_read(path, "document", 0, &r, &err);
	ok(!r.present, "vbadmin's own records have no such default");
}

static void record_extra_key(const char *path)
{
	struct vb_error err;
	spit(path, "[semantic_model]\nregistry_name = hashing\nmodel_name = hashing\ndim_size = 384\nbatch_size = 8\n");
	is_int(embed_guard_apply(path, "semantic_model", "check", 1, &hashing, 0, &err), VB_ERR_INVALID,
	       "a key Datus does not write is a difference for Datus");
	has_str(err.message, "- Missing key 'batch_size' in section [semantic_model].", "named as Datus names it");
}

static void test_record(const char *dir)
{
	char *path = vb_xasprintf("%s/datus_db.cfg", dir);
	record_absent_and_same(path);
	record_refusals(path);
	record_replace(path);
	record_missing_section(path);
	record_extra_key(path);
	free(path);
}

static void choose_without_agent_yml(struct config *cfg)
{
	struct embed_choice c;
	struct vb_error err;
	is_int(embed_choose(cfg, "semantic_model", NULL, NULL, &c, &err), VB_OK, "no agent.yml: hashing");
	ok(c.hashing, "the built-in embedder");
	has_str(c.why, "no agent.yml", "and why it runs");
}

/* an agent.yml naming no model: Datus's default, refused until a server for it is configured */
static void choose_default_and_flag(struct config *cfg)
{
	struct embed_choice c;
	struct vb_error err;
	is_int(embed_choose(cfg, "semantic_model", NULL, NULL, &c, &err), VB_ERR_NOT_FOUND,
	       "an agent.yml without a model: Datus's default, which needs a server");
	is_str(c.model.model_name, "all-MiniLM-L6-v2", "named: all-MiniLM-L6-v2");
	is_int(c.model.dim_size, 384, "384 dimensions");
	has_str(err.message, "all-MiniLM-L6-v2", "the refusal names the model");
	has_str(err.hint, "embedding_endpoints", "and says how to serve and configure it");

	is_int(embed_choose(cfg, "semantic_model", "hashing", NULL, &c, &err), VB_OK, "--embedder hashing");
	ok(c.hashing && !strcmp(c.why, "--embedder hashing"), "named as chosen by the flag");
	is_int(embed_choose(cfg, "semantic_model", "openai", NULL, &c, &err), VB_ERR_INVALID,
	       "--embedder takes only hashing");
}

static void choose_endpoint(struct config *cfg)
{
	struct embed_choice c;
	struct vb_error err;
	is_int(embed_choose(cfg, "semantic_model", NULL, NULL, &c, &err), VB_OK, "with a server for it: it runs");
	is_str(c.opt.model, "sentence-transformers/all-MiniLM-L6-v2", "the endpoint's key is the name sent");
	char line[300];
	embed_choice_describe(&c, line, sizeof line);
	is_str(line, "sentence-transformers/all-MiniLM-L6-v2 via http://h:1/v1 (384 dimensions)",
	       "described without the URL's credentials");
	is_int(c.opt.dimensions, 0, "a sentence-transformers model's server is not asked for \"dimensions\"");
}

static void choose_recorded(struct config *cfg)
{
	struct embed_choice c;
	struct vb_error err;
	/* registry openai: the record says which; Datus's OpenAIEmbeddings sends dim_size as
	 * "dimensions", except for text-embedding-ada-002 (datus/storage/embedding_openai.py) */
	struct embed_record oai = {.present = 1};
	strcpy(oai.registry_name, "openai");
	strcpy(oai.model_name, "text-embedding-3-small");
	strcpy(oai.dim_size, "256");
	is_int(embed_choose(cfg, "semantic_model", NULL, &oai, &c, &err), VB_OK, "openai: runs");
	is_int(c.opt.dimensions, 256, "openai: asks for dimensions 256");
	is_str(c.opt.base_url, "https://api.openai.com/v1", "openai without an agent.models entry: the client's default URL");
	strcpy(oai.model_name, "text-embedding-ada-002");
	strcpy(oai.dim_size, "1536");
	is_int(embed_choose(cfg, "semantic_model", NULL, &oai, &c, &err), VB_OK, "ada-002: runs");
	is_int(c.opt.dimensions, 0, "ada-002: no \"dimensions\" (the model has no such parameter)");

	struct embed_record rec = {.present = 1};
	strcpy(rec.registry_name, "fastembed");
	strcpy(rec.model_name, "BAAI/bge-small-en-v1.5");
	strcpy(rec.dim_size, "384");
	is_int(embed_choose(cfg, "semantic_model", NULL, &rec, &c, &err), VB_ERR_NOT_FOUND,
	       "search: the recorded model, not the configured one");
	has_str(err.message, "BAAI/bge-small-en-v1.5", "named");
	strcpy(rec.registry_name, "huggingface");
	is_int(embed_choose(cfg, "semantic_model", NULL, &rec, &c, &err), VB_ERR_UNSUPPORTED,
	       "a registry Datus cannot run either");
	has_str(err.message, "Unsupported EmbeddingModel registration by `huggingface`", "in Datus's words");
}

static void choose_bad_name(struct config *cfg)
{
	struct embed_choice c;
	struct vb_error err;
	/* a model name is one INI value of datus_db.cfg: a line break would write a section (14.8) */
	cfg->embeddings[CONFIG_EMB_SEMANTIC_MODEL] = (struct config_embedding){
		.section = "semantic_model", .registry_name = "hashing", .model_name = "a\n[metric]", .dim_size = 384,
		.batch_size = 32, .configured = 1, .source = "agent.storage.semantic_model"};
	is_int(embed_choose(cfg, "semantic_model", NULL, NULL, &c, &err), VB_ERR_INVALID,
	       "a model_name with a line break: refused before anything runs");
	has_str(err.message, "model_name of [semantic_model] holds a control character", "saying which and where");
}

static void test_choose(void)
{
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	choose_without_agent_yml(&cfg);
	cfg.path = "agent.yml";
	choose_default_and_flag(&cfg);
	struct config_endpoint ep = {.model = "sentence-transformers/all-MiniLM-L6-v2", .base_url = "http://u:p@h:1/v1",
	                             .line = 7};
	cfg.endpoints = &ep;
	cfg.nendpoints = 1;
	choose_endpoint(&cfg);
	choose_recorded(&cfg);
	choose_bad_name(&cfg);
}

int main(void)
{
	char tmpl[] = "/tmp/vbguard.XXXXXX";
	char *dir = mkdtemp(tmpl);
	test_paths();
	test_record(dir);
	test_choose();
	char *cmd = vb_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return tap_done();
}
