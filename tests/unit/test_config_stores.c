/* tests/unit/test_config_stores.c - what issue 12 points 1-2 take from Datus's configuration:
 * lazy ${VAR} per namespace, unknown keys with the nearest known key, agent.models + target,
 * and the embedding model of each store.  Every expectation names the Datus code it mirrors
 * (monrg/Datus-agent refactor/store e1e4c94: datus/configuration/agent_config.py,
 * datus/storage/embedding_models.py, datus/storage/cache.py). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../backends/vb_util.h"
#include "../config/config.h"

static char tmp[512];
static char example[PATH_MAX]; /* tests/data/datus/agent.yml.example, absolute */
static int nfile;

static char *yml(const char *text)
{
	char *dir = vb_xasprintf("%s/case%d", tmp, ++nfile);
	mkdir(dir, 0755);
	char *path = vb_xasprintf("%s/agent.yml", dir);
	free(dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("# cannot write %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static struct config *load(const char *path, const char *name)
{
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	if (!is_int(config_load(path, &c, &err), VB_OK, "%s: loads", name))
		printf("#   error: %s\n", err.message);
	return c;
}

static struct config *load_text(const char *text, const char *name)
{
	char *p = yml(text);
	struct config *c = load(p, name);
	free(p);
	return c;
}

static int has_warning(const struct config *c, const char *needle)
{
	for (int i = 0; c && i < c->nwarnings; i++)
		if (strstr(c->warnings[i], needle))
			return 1;
	return 0;
}

static const char *const datus_vars[] = {
	"OPENAI_API_KEY", "GEMINI_API_KEY", "ANTHROPIC_API_KEY", "DEEPSEEK_API_KEY", "SNOWFLAKE_ACCOUNT",
	"SNWOFLAKE_USER", "SNOWFLAKE_PASSWORD", "STARROCKS_HOST", "STARROCKS_PORT", "STARROCKS_USER",
	"STARROCKS_PASSWORD", "STARROCKS_DATABASE", "POSTGRES_HOST", "POSTGRES_DB", "POSTGRES_USER",
	"POSTGRES_PASSWORD", "TAVILY_API_KEY", "GITHUB_TOKEN",
};

/* Datus's own example: only gpdb_test (the storage namespace) is used, so only POSTGRES_* must
 * be exported (agent_config.py resolve_env runs per field and never fails). */
/* which namespaces resolve with only POSTGRES_* exported, and what the unset variables give */
static void example_namespaces(struct config *c)
{
	struct vb_config r;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_resolve(c, NULL, NULL, &r, &err), VB_OK, "example: the storage namespace resolves");
	is_str(r.namespace, "gpdb_test", "example: storage.backends.namespace gpdb_test (storage_backend_namespace)");
	is_str(r.backend, "pgvector", "example: postgresql storage namespace => pgvector (vector_backend_options)");
	is_str(r.host, "pg.example", "example: ${POSTGRES_HOST} substituted");
	is_int(config_resolve(c, "local_duckdb", NULL, &r, &err), VB_OK, "example: --namespace local_duckdb (no vars)");
	char *w = vb_xasprintf("%s:90: ${SNOWFLAKE_ACCOUNT} is not set (agent.namespace.snowflake.account)", example);
	ok(has_warning(c, w), "example: unset Snowflake account is a warning naming file:line and the variable");
	free(w);
	is_int(c->nunset_vars, 12, "example: 3 snowflake + 5 starrocks + 4 model api keys unset");
	is_int(c->nunknown_keys, 0, "example: every key of Datus's example is known");
	is_int(config_resolve(c, "starrocks", NULL, &r, &err), VB_ERR_INVALID, "example: --namespace starrocks refused");
	w = vb_xasprintf("%s:119: environment variable STARROCKS_HOST is not set", example);
	has_str(err.message, w, "example: the refusal names file:line and the variable");
	free(w);
	ok(!strstr(err.message, "pw-SECRET"), "example: no secret in the message");
}

/* embedding_models.py init_embedding_models over the example's storage section */
static void example_embeddings(const struct config *c)
{
	const struct config_embedding *db = config_embedding_by_section(c, "database");
	is_str(db->registry_name, "openai", "database: registry_name openai");
	is_str(db->model_name, "text-embedding-v3-small", "database: model_name");
	is_int(db->dim_size, 1024, "database: dim_size 1024");
	is_int(db->batch_size, 10, "database: batch_size 10");
	ok(db->endpoint && !strcmp(db->endpoint->name, "openai"), "database: endpoint agent.models.openai (target_model)");
	is_str(db->endpoint_from, "target_model", "database: endpoint via target_model");
	is_str(db->endpoint ? db->endpoint->base_url : NULL, "https://api.openai.com/v1", "database: endpoint base_url");
	ok(db->endpoint && db->endpoint->api_key == NULL && db->endpoint->nunset == 1,
	   "database: endpoint api_key unset, recorded (resolve_env leaves <MISSING:OPENAI_API_KEY>)");
	is_int(config_table_dim(c, "schema_metadata"), 1024, "schema_metadata takes database's dim (cache.py SchemaStorage)");
	is_int(config_table_dim(c, "schema_value"), 1024, "schema_value takes database's dim (cache.py SchemaValueStorage)");
	is_int(config_table_dim(c, "metrics"), 384, "metrics takes metric's dim (cache.py MetricStorage)");
	is_int(config_table_dim(c, "document"), 384, "document takes document's dim");
	const struct config_embedding *sm = config_embedding_by_section(c, "semantic_model");
	is_str(sm->shared_with, "document",
	       "semantic_model reuses document's model: init_embedding_models keys models by model_name");
	is_int(sm->batch_size, 32, "semantic_model: config.get(\"batch_size\", 32)");
	ok(sm->endpoint && !strcmp(sm->endpoint->name, "anthropic"),
	   "no target_model: default_openai_config = active_model() = models[agent.target]");
}

static void test_datus_example(void)
{
	for (size_t i = 0; i < sizeof datus_vars / sizeof datus_vars[0]; i++)
		unsetenv(datus_vars[i]);
	setenv("POSTGRES_HOST", "pg.example", 1);
	setenv("POSTGRES_DB", "kb", 1);
	setenv("POSTGRES_USER", "datus", 1);
	setenv("POSTGRES_PASSWORD", "pw-SECRET", 1);
	struct config *c = load(example, "Datus conf/agent.yml.example, POSTGRES_* only");
	if (!c)
		return;
	example_namespaces(c);
	example_embeddings(c);
	config_free(&c);

	unsetenv("POSTGRES_HOST");
	struct vb_config r;
	struct vb_error err;
	c = load(example, "example without POSTGRES_HOST");
	if (c) {
		is_int(config_resolve(c, NULL, NULL, &r, &err), VB_ERR_INVALID, "example: storage namespace needs POSTGRES_HOST");
		has_str(err.message, "POSTGRES_HOST is not set", "example: and says which variable");
		has_str(err.message, "namespace 'gpdb_test'", "example: and which namespace");
	}
	config_free(&c);
	for (size_t i = 0; i < sizeof datus_vars / sizeof datus_vars[0]; i++)
		unsetenv(datus_vars[i]);
}

static void test_lazy_relational(void)
{
	unsetenv("LZ_UNSET");
	struct config *c = load_text("agent:\n  namespace:\n    vec:\n      type: postgresql\n      host: h\n"
	                             "    rel:\n      type: postgresql\n      password: ${LZ_UNSET}\n"
	                             "  storage:\n    backends:\n      vector:\n        namespace: vec\n"
	                             "      relational:\n        namespace: rel\n",
	                             "relational namespace with an unset variable");
	struct vb_config r;
	struct vb_error err;
	if (c) {
		is_int(config_resolve(c, "vec", NULL, &r, &err), VB_ERR_INVALID,
		       "the relational storage namespace is used too (relational_backend_options)");
		has_str(err.message, "LZ_UNSET", "names the variable");
		ok(c->namespaces[1].dbs[0].nunset == 1 && !strcmp(c->namespaces[1].dbs[0].unset[0].var, "LZ_UNSET"),
		   "the entry records the unset field for config show");
	}
	config_free(&c);
}

/* embedding_models.py: models keyed by model_name (a later section's own values are ignored),
 * get_embedding_model's fallback to a configured all-MiniLM-L6-v2, DEFAULT_MODEL_CONFIG. */
static void test_datus_model_rules(void)
{
	struct config *c = load_text("agent:\n  storage:\n    metric:\n      model_name: bge\n      dim_size: 768\n"
	                             "    semantic_model:\n      model_name: bge\n      dim_size: 1024\n",
	                             "same model_name, other dim");
	if (c) {
		is_int(config_table_dim(c, "semantic_model"), 768, "second section reuses the first's model (dim 768)");
		ok(has_warning(c, "Datus keys models by model_name"), "and the ignored dim_size is reported");
	}
	config_free(&c);

	c = load_text("agent:\n  storage:\n    database:\n      model_name: all-MiniLM-L6-v2\n      dim_size: 512\n",
	              "a configured all-MiniLM-L6-v2");
	if (c) {
		is_int(config_table_dim(c, "metrics"), 512, "unconfigured metric reuses it (get_embedding_model)");
		is_str(config_table_embedding(c, "metrics")->shared_with, "database", "shared_with names the section");
	}
	config_free(&c);

	c = load_text("agent:\n  storage:\n    database:\n      model_name: bge-large\n      dim_size: 1024\n",
	              "no all-MiniLM-L6-v2 configured");
	if (c) {
		const struct config_embedding *m = config_table_embedding(c, "metrics");
		is_int(m->dim_size, 384, "metric: DEFAULT_MODEL_CONFIG dim 384");
		is_str(m->model_name, "all-MiniLM-L6-v2", "metric: DEFAULT_MODEL_CONFIG model");
		is_str(m->registry_name, "sentence-transformers", "metric: EmbeddingProvider.SENTENCE_TRANSFORMERS");
		is_int(m->batch_size, 64, "metric: the EmbeddingModel constructor's batch_size 64");
		ok(!m->configured && m->endpoint == NULL, "metric: not configured, no endpoint");
		is_int(config_table_dim(c, "schema_metadata"), 1024, "schema_metadata: database's 1024");
	}
	config_free(&c);

	char *p = yml("agent:\n  target: m1\n  models:\n    m1:\n      type: openai\n      api_key: k\n      model: gpt\n"
	              "  storage:\n    document:\n      registry_name: openai\n      model_name: e\n      dim_size: 8\n"
	              "      target_model: m2\n");
	struct vb_error err;
	vb_err_clear(&err);
	is_int(config_load(p, &c, &err), VB_ERR_INVALID,
	       "unknown target_model: Datus raises COMMON_CONFIG_ERROR at load (init_embedding_models), so does vbadmin");
	has_str(err.message, "Model m2 not found in storage openai configuration", "with Datus's message");
	has_str(err.message, ":13:", "at the target_model line");
	free(p);

	c = load_text("agent:\n  target: m1\n  models:\n    m1:\n      type: openai\n      api_key: k\n      model: gpt\n"
	              "  storage:\n    document:\n      registry_name: openai\n      model_name: e\n      dim_size: 8\n",
	              "no base_url");
	if (c) {
		const struct config_embedding *d = config_table_embedding(c, "document");
		ok(d->endpoint && d->endpoint->base_url == NULL,
		   "base_url absent => NULL (refactor/store load_model_config: None when not given)");
		is_str(d->endpoint_from, "agent.target", "endpoint from agent.target");
	}
	config_free(&c);
}

static void test_unknown_keys(void)
{
	struct config *c = load_text("agent:\n  namspace:\n    x:\n      type: sqlite\n  namespace:\n    pg:\n"
	                             "      type: postgresql\n      prot: 5433\n  models:\n    m:\n      type: openai\n"
	                             "      api_kye: k\n      model: x\n  storage:\n    semantic_modle:\n"
	                             "      model_name: a\n      dim_size: 8\n    metric:\n      model_name: b\n"
	                             "      dim_sise: 8\n    backends:\n      namespace: pg\n      vectr:\n"
	                             "        namespace: pg\n",
	                             "typos");
	if (!c)
		return;
	ok(has_warning(c, ":8: unknown key agent.namespace.pg.prot ignored; did you mean 'port'?"),
	   "prot: 5433 => did you mean 'port' (file:line)");
	ok(has_warning(c, ":2: unknown key agent.namspace ignored; did you mean 'namespace'?"), "agent.namspace");
	ok(has_warning(c, "agent.models.m.api_kye ignored; did you mean 'api_key'?"), "models.m.api_kye");
	ok(has_warning(c, "agent.storage.semantic_modle ignored; did you mean 'semantic_model'?"), "storage section");
	ok(has_warning(c, "agent.storage.metric.dim_sise ignored; did you mean 'dim_size'?"), "section key");
	ok(has_warning(c, "agent.storage.backends.vectr ignored; did you mean 'vector'?"), "backends key");
	is_int(c->nunknown_keys, 6, "six unknown keys listed for check and the console");
	struct vb_config r;
	struct vb_error err;
	config_resolve(c, NULL, NULL, &r, &err);
	is_int(r.port, 5432, "the typo does not set the port (it is reported, not guessed)");
	config_free(&c);

	ok(config_nearest("prot", (const char *const[]){"host", "port", "type"}, 3) != NULL, "nearest: prot found");
	is_str(config_nearest("prot", (const char *const[]){"host", "port", "type"}, 3), "port", "nearest: prot => port");
	ok(config_nearest("zzzzzz", (const char *const[]){"host", "port"}, 2) == NULL, "nearest: nothing close => NULL");
}

static void test_storage_raw(void)
{
	struct config *c = load_text("agent:\n  storage:\n    database:\n      model_name: ${MODEL}\n      dim_size: 8\n",
	                             "${VAR} in agent.storage");
	if (c) {
		is_str(config_embedding_by_section(c, "database")->model_name, "${MODEL}",
		       "agent.storage is read raw (init_embedding_models does not call resolve_env)");
		ok(has_warning(c, "Datus does not substitute variables in agent.storage"), "and that is reported");
	}
	config_free(&c);
}

int main(void)
{
	if (!realpath("tests/data/datus/agent.yml.example", example)) {
		printf("Bail out! run from the repository root (tests/data/datus/agent.yml.example)\n");
		return 1;
	}
	const char *base = getenv("VBTEST_WORK");
	snprintf(tmp, sizeof tmp, "%s/test_config_stores.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	if (chdir(tmp) != 0) /* no ./.env or ./agent.yml of the caller */
		return 1;
	setenv("HOME", tmp, 1);
	unsetenv("VBADMIN_CONFIG");

	test_datus_example();
	test_lazy_relational();
	test_datus_model_rules();
	test_unknown_keys();
	test_storage_raw();

	if (chdir("/") == 0) {
		char *cmd = vb_xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
		free(cmd);
	}
	return tap_done();
}
