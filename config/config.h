/* config/config.h - Datus agent.yml: namespaces, database entries, storage backend selection,
 * embedding settings.  Loaded with libyaml; `${VAR}` substituted (unset VAR is an error naming
 * VAR and file:line).  Discovery order: explicit path, $VBADMIN_CONFIG, ./agent.yml,
 * ./conf/agent.yml, ~/.datus/conf/agent.yml.  No file at all is valid: the embedded default. */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include "../backends/vb.h"

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
	int line;           /* line of the entry in the file, for messages */
};

struct config_namespace {
	char *name;
	struct config_db *dbs;
	int ndbs;
	int line;
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
	int dim;                    /* embedding dim for semantic_model/metrics; default 384 */
	char *embedder;             /* "hashing" (default) or "openai" */
	char *embed_base_url;
	char *embed_model;
	char *embed_api_key;        /* never printed */
	int embed_batch_size;       /* default 32 */

	/* Added with the loader: where things came from, for `config show` and messages. */
	char *path_source;          /* "--config", "$VBADMIN_CONFIG", "./agent.yml", "./conf/agent.yml",
	                             * "~/.datus/conf/agent.yml"; NULL when no file was found */
	char *namespace_key;        /* key(s) the namespaces were under: "namespace", "datasource",
	                             * "datasources" (comma-separated when several), or NULL */
	char *storage_rel_namespace; /* agent.storage.backends[.relational].namespace */
	char *storage_rel_db;
	char *embed_registry;       /* registry_name as written, or NULL */
	char *embed_source;         /* "agent.storage.semantic_model", "agent.storage.metric" or "default" */
	char *data_dir_source;      /* "agent.vbadmin.data_dir", "$VBADMIN_DATA_DIR", "$XDG_DATA_HOME",
	                             * "~/.local/share" */
	char *env_file;             /* ".env" when ./.env was read for ${VAR}, else NULL */
	int vector_backend_from_type; /* vector_backend came from agent.storage.backends.vector.type */
	char **warnings;            /* things accepted but probably not meant; never contain secrets */
	int nwarnings;
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
/* Why config_resolve picks its backend: "--backend", "agent.storage.vector_backend",
 * "agent.storage.backends.vector.type", "storage namespace type postgresql", or
 * "default: no PostgreSQL storage namespace". */
const char *config_backend_source(const struct config *cfg, const char *backend_override);

#endif
