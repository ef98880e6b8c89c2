/* config/config.h - Datus agent.yml: namespaces, database entries, storage backend selection,
 * per-store embedding models, agent.models / agent.target.  Loaded with libyaml.
 * Discovery order: explicit path, $VBADMIN_CONFIG, ./agent.yml, ./conf/agent.yml,
 * ~/.datus/conf/agent.yml.  No file at all is valid: the embedded default.
 *
 * ${VAR} (Datus resolve_env): substituted in namespace entries and agent.models, lazily as Datus
 * does it.  An unset VAR there is NOT a load error: the field stays unset, the entry records it
 * (config_db.unset / config_model.unset), and cfg->warnings names file:line and VAR.
 * config_resolve() fails (VB_ERR_INVALID, exit 2) only when the namespaces the command uses
 * (its --namespace and the storage namespaces) hold such a field.  agent.home, agent.vbadmin
 * and agent.storage.backends are always needed: an unset VAR there is a load error.
 * agent.storage.<section> is read raw, as Datus reads it (no substitution; a warning if it
 * holds "${").
 *
 * Unknown keys (agent, agent.storage, its sections, agent.models.<m>, database entries) are
 * warnings naming file:line and the nearest known key ("did you mean 'port'?").
 *
 * EMBEDDING API (for kb/ embedders, engine checks, `config show`):
 *   const struct config_embedding *e = config_table_embedding(cfg, "schema_metadata");
 *   e->registry_name / e->model_name / e->dim_size / e->batch_size  - what Datus would run
 *   e->endpoint (may be NULL) -> struct config_model {type, base_url, api_key, model}: the
 *       agent.models entry named by target_model, else by agent.target (Datus
 *       init_embedding_models' openai_config).  Datus sends e->model_name (not endpoint->model)
 *       as the embeddings model, with endpoint->base_url and endpoint->api_key.
 *   e->endpoint->unset: a ${VAR} of that entry is unset; refuse to run it naming the variable.
 *   config_embedding(cfg, CONFIG_EMB_SEMANTIC_MODEL) / config_embedding_by_section(cfg, "metric")
 *   config_table_dim(cfg, "metrics") - the dim a vector table must have. */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include "../backends/vb.h"

/* A field whose ${VAR} was not set when the file was read.  The field keeps its default (NULL
 * for strings); a command that needs the entry fails naming var, field and file:line. */
struct config_unset {
	char *field;        /* "agent.namespace.snowflake.password" */
	char *var;          /* "SNOWFLAKE_PASSWORD" */
	int line;
};

/* One database entry under agent.namespace.<ns> (a namespace may hold one entry directly or
 * several named ones). */
struct config_db {
	char *logic_name;   /* name inside the namespace; the namespace name when it holds one entry */
	char *type;         /* "postgresql", "postgres", "sqlite", ... (lowercase) */
	char *uri;
	char *host;         /* default 127.0.0.1 */
	int port;           /* default 5432 */
	char *database;     /* default NULL => "postgres" */
	char *username;
	char *password;     /* never printed */
	char *schema;       /* default "public" */
	char *sslmode;      /* default "prefer" */
	char *options;      /* vbadmin extension: "k=v;k=v" libpq keywords or server settings
	                     * (e.g. "statement_timeout=30s;lock_timeout=5s"), or NULL */
	int timeout;        /* seconds, default 30 */
	int enable_vector_search; /* default 1 */
	/* Datus DbConfig catalog / database / schema exactly as written (NULL when absent, no
	 * vbadmin default, database not taken from uri): the table context of semantic rows
	 * (kb/table_context.h).  path_pattern: the sqlite/duckdb glob Datus expands. */
	char *ctx_catalog, *ctx_database, *ctx_schema, *path_pattern;
	int line;           /* line of the entry in the file, for messages */
	struct config_unset *unset; /* fields whose ${VAR} is not set (left at their default) */
	int nunset;
};

struct config_namespace {
	char *name;
	struct config_db *dbs;
	int ndbs;
	int line;
};

/* Embedding sections of agent.storage (config/stores.def). */
enum config_emb_section {
#define CONFIG_EMBED_SECTION(id, key) CONFIG_EMB_##id,
#include "stores.def"
	CONFIG_EMB_N
};

/* One agent.models.<name> entry (Datus ModelConfig / load_model_config). */
struct config_model {
	char *name;
	char *type;         /* "openai", "claude", "deepseek", ... as written */
	char *base_url;     /* NULL when absent: Datus then leaves the OpenAI client's default */
	char *api_key;      /* never printed; NULL when absent or its ${VAR} is unset */
	char *model;        /* the chat model; NOT what the embedder sends (see config_embedding) */
	struct config_unset *unset;
	int nunset;
	int line;
};

/* The embedding model Datus uses for one section (datus/storage/embedding_models.py). */
struct config_embedding {
	const char *section;        /* "database", "metric", ... (static) */
	char *registry_name;        /* default "sentence-transformers" */
	char *model_name;           /* default "all-MiniLM-L6-v2" */
	int dim_size;               /* default 384 */
	int batch_size;             /* 32 from a section, 64 for Datus's built-in default model */
	char *target_model;         /* as written in the section that defines the model, or NULL */
	const struct config_model *endpoint; /* agent.models[target_model] else agent.models[agent.target] */
	const char *endpoint_from;  /* "target_model", "agent.target" or NULL (no endpoint) */
	int configured;             /* 1: agent.storage.<section> has model_name and dim_size */
	char *shared_with;          /* Datus keys models by model_name: the agent.storage key whose
	                             * model is reused (its registry, dim, batch, endpoint), or NULL */
	char *source;               /* where the values come from: "agent.storage.<key>" or "default"
	                             * (Datus DEFAULT_MODEL_CONFIG) */
	int line;                   /* line of the section that defines the model; 0 for the default */
	char *ext_base_url;         /* vbadmin extension base_url / api_key in the section (Datus does */
	char *ext_api_key;          /* not read them; warned); never printed */
};

struct config {
	char *path;                 /* file read, or NULL when none was found */
	struct config_namespace *namespaces;
	int nnamespaces;
	char *storage_namespace;    /* agent.storage.backends[.vector].namespace */
	char *storage_db;           /* agent.storage.backends[.vector].db */
	char *vector_backend;       /* agent.storage.vector_backend (explicit name), or NULL */
	char *home;                 /* agent.home, default ~/.datus */
	char *data_dir;             /* embedded store dir; default $XDG_DATA_HOME/vbadmin */
	char *lance_data_dir;       /* {home}/data: Datus's LanceDB stores are datus_db_<namespace> in it */
	int dim;                    /* the semantic_model store's dim_size (vb_config.dim); default 384.
	                             * Which model runs for a store: kb/embed_choose.h */

	/* Added with the loader: where things came from, for `config show` and messages. */
	char *path_source;          /* "--config", "$VBADMIN_CONFIG", "./agent.yml", "./conf/agent.yml",
	                             * "~/.datus/conf/agent.yml"; NULL when no file was found */
	char *namespace_key;        /* key(s) the namespaces were under: "namespace", "datasource",
	                             * "datasources" (comma-separated when several), or NULL */
	char *storage_rel_namespace; /* agent.storage.backends[.relational].namespace */
	char *storage_rel_db;
	char *data_dir_source;      /* "agent.vbadmin.data_dir", "$VBADMIN_DATA_DIR", "$XDG_DATA_HOME",
	                             * "~/.local/share" */
	char *env_file;             /* ".env" when ./.env was read for ${VAR}, else NULL */
	int vector_backend_from_type; /* vector_backend came from agent.storage.backends.vector.type */
	struct config_endpoint *endpoints; /* agent.vbadmin.embedding_endpoints (config_endpoints.h) */
	int nendpoints;
	char **warnings;            /* things accepted but probably not meant; never contain secrets */
	int nwarnings;

	/* Added with per-store embeddings (issue 12). */
	struct config_model *models;   /* agent.models, in file order */
	int nmodels;
	char *target;                  /* agent.target, or NULL */
	struct config_embedding embeddings[CONFIG_EMB_N];
	char **unknown_keys;           /* the subset of warnings about unknown keys (same text) */
	int nunknown_keys;
	char **unset_vars;             /* the subset of warnings about unset ${VAR} (same text) */
	int nunset_vars;
};

/* Loads and validates; on failure *out is NULL and err says file:line:column and what to do
 * (err->status VB_ERR_INVALID). */
int config_load(const char *explicit_path, struct config **out, struct vb_error *err);
void config_free(struct config **cfg);

/* Resolves what a command talks to: row namespace `ns` (NULL => storage namespace or
 * "default"), backend override (NULL => from config: pgvector when the storage namespace is a
 * postgresql entry, else embedded).  Fills *out with pointers into cfg (valid while cfg lives).
 * Unknown namespace => VB_ERR_INVALID listing the namespaces that exist. */
int config_resolve(const struct config *cfg, const char *ns, const char *backend_override,
                   struct vb_config *out, struct vb_error *err);

/* Added: lookups shared by the resolver, `config show` and the console. */
const struct config_namespace *config_find_namespace(const struct config *cfg, const char *name);
/* The entry named db, or the first one when db is NULL or empty; NULL if none. */
const struct config_db *config_find_db(const struct config_namespace *ns, const char *db);
/* 1 for "postgresql" / "postgres": the types that select the pgvector backend. */
int config_db_is_postgres(const struct config_db *db);
/* ^[a-zA-Z0-9_-]+$, the Datus rule for namespace names (also used for backend names). */
int config_valid_name(const char *name);
/* Comma-separated list of the accepted database `type` values (static string). */
const char *config_db_types(void);
/* The PostgreSQL entry config_resolve takes the connection from (storage namespace's db, else
 * the row namespace's first entry), or NULL (none, or not a postgresql/postgres entry). */
const struct config_db *config_connection_db(const struct config *cfg, const char *ns);
/* 1 when name is backend ("lancedb", "pgvector", ...) or one of its aliases (backends/aliases.def),
 * as the registry resolves names. */
int config_names_backend(const char *name, const char *backend);
/* Why config_resolve picks its backend: "--backend", "agent.storage.vector_backend",
 * "agent.storage.backends.vector.type", "storage namespace type postgresql", or
 * "default: no PostgreSQL storage namespace". */
const char *config_backend_source(const struct config *cfg, const char *backend_override);

/* ---- per-store embeddings (config_embed.c) ---- */
const struct config_embedding *config_embedding(const struct config *cfg, enum config_emb_section s);
/* By section key ("database", "metric", ...); NULL for an unknown key. */
const struct config_embedding *config_embedding_by_section(const struct config *cfg, const char *section);
/* The section key of a vector table ("schema_metadata" -> "database"), or NULL (not a vector table). */
const char *config_table_section(const char *table);
/* The model of a vector table's store; NULL when table is not a vector table. */
const struct config_embedding *config_table_embedding(const struct config *cfg, const char *table);
/* The dim a vector table must have (its store's dim_size); 0 when table is not a vector table. */
int config_table_dim(const struct config *cfg, const char *table);
/* Number and names of the vector tables, in stores.def order (static strings). */
int config_store_table_count(void);
const char *config_store_table(int i);
/* Store i (stores.def order): needed by bootstrap-kb / search; also writes subject_nodes. */
int config_store_needed(int i);
int config_store_uses_subject_tree(int i);
/* The store index of a vector table, or -1. */
int config_store_index(const char *table);
const struct config_model *config_find_model(const struct config *cfg, const char *name);

/* config_resolve without the unset-${VAR} refusal: config show prints what would be used and
 * marks the unset entry (config_unset_refusal says what the other commands answer). */
int config_resolve_to_show(const struct config *cfg, const char *ns, const char *backend_override,
                           struct vb_config *out, struct vb_error *err);
/* VB_OK, or VB_ERR_INVALID with the message config_resolve refuses with when a namespace the
 * command uses (row namespace ns, storage namespaces) has an unset ${VAR}. */
int config_unset_refusal(const struct config *cfg, const char *ns, struct vb_error *err);
/* The first unset ${VAR} of the namespaces a command with row namespace ns uses, or NULL. */
const struct config_unset *config_namespace_unset(const struct config *cfg, const char *ns, const char **ns_name);

/* 1 when text holds a password or API key of cfg: a database entry's password, an agent.models
 * api_key, an embedding endpoint's api_key (config_secrets.c). */
int config_holds_secret(const struct config *cfg, const char *text);

/* ---- did-you-mean (config_keys.c) ---- */
/* The candidate nearest to word (Damerau-Levenshtein, at most a third of the word's length
 * changed), or NULL. */
const char *config_nearest(const char *word, const char *const *candidates, int n);

#endif
