/* kb/table_context.h - the catalog, database and schema that semantic_model and metrics rows
 * start from, and the dialect that splits a data_source's sql_table, taken from the data-source
 * namespace's entry in agent.yml exactly as Datus takes them:
 *
 *   dialect   the type of the namespace's first database entry (AgentConfig.db_type);
 *   catalog, database, schema
 *             that entry's DbConfig fields as written, "" when absent (current_db_config());
 *             for sqlite and duckdb the database is the file name without extension of its uri
 *             (or of the first file path_pattern matches), as _parse_single_file_db and
 *             file_stem_from_uri make it;
 *   StarRocks an empty catalog becomes "default_catalog" (generation_hooks.py).
 *
 * Sources: datus/configuration/agent_config.py (DbConfig, _init_namespace_config,
 * _parse_single_file_db, file_stem_from_uri), datus/cli/generation_hooks.py::_sync_semantic_to_db. */
#ifndef KB_TABLE_CONTEXT_H
#define KB_TABLE_CONTEXT_H

#include "../backends/vb.h"
#include "../config/config.h"

struct kb_table_context {
	char *dialect;
	char *catalog, *database, *schema;
	char *entry;    /* the database entry's name inside the namespace (for messages) */
	char *note;     /* set when no agent.yml exists: what context the rows get instead (warn it) */
};

/* Fills *out for namespace ns.  A namespace agent.yml does not define, or a sqlite/duckdb
 * entry naming no file, is VB_ERR_INVALID with a message saying what to add.  Without any
 * agent.yml (the embedded default) the context is empty with the postgresql dialect and
 * out->note says so. */
int kb_table_context_resolve(const struct config *cfg, const char *ns, struct kb_table_context *out,
                             struct vb_error *err);
void kb_table_context_free(struct kb_table_context *c);

/* Datus's file_stem_from_uri: "duckdb:///path/to/demo.duckdb" -> "demo", "foo.db" -> "foo".
 * Heap string. */
char *kb_file_stem(const char *uri);

#endif
