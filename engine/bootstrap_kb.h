/* engine/bootstrap_kb.h - the bootstrap use case: semantic-model YAML into the knowledge base
 * of the engine's namespace, one component after the other (kb/bootstrap.h does the loading).
 * Its policy, the same for the CLI and the console: valid components and strategy; the rows'
 * table context from the namespace (kb/table_context.h); overwrite only once confirmed; the
 * store's configured embedding model, run or refused (engine/embedding.h, docs/embeddings.md),
 * its server's dimension checked with one request; the model record of the store
 * (kb/embed_guard.h) checked before the first write, and an overwrite of a store recorded with
 * another model only once that is confirmed separately; Ctrl-C through the engine's cancel
 * flag; and what each failure means (exit code and kind). */
#ifndef ENGINE_BOOTSTRAP_KB_H
#define ENGINE_BOOTSTRAP_KB_H

#include "../backends/vb.h"
#include "../kb/bootstrap.h"

struct engine;

#define ENGINE_BOOT_MAX_PARTS 2

struct engine_bootstrap_req {
	const char *components;    /* "semantic_model", "metrics" or both, comma separated */
	const char *strategy;      /* check, incremental, overwrite */
	const char *yaml_path;
	int batch_rows;            /* <= 0: 256 */
	int all_data_sources;
	int overwrite_confirmed;   /* the person confirmed an overwrite already (-y, the console's prompt) */
	int replace_model_confirmed; /* --replace-model: an overwrite may replace the store's recorded model */
	/* callbacks, all optional, called on the calling thread; ctx is theirs */
	void *ctx;
	int (*confirm_overwrite)(void *ctx, const char *table, const char *ns); /* 1 = go on */
	/* the store was filled with another model (why says which, and that Datus will not be able
	 * to search what is written): 1 = replace it anyway */
	int (*confirm_replace)(void *ctx, const struct vb_error *why);
	void (*on_part)(void *ctx, int part, const char *component);           /* a component starts */
	void (*progress)(void *ctx, long done, long total);
	void (*warn)(void *ctx, const char *message);                          /* YAML findings */
};

enum engine_boot_failure {
	ENGINE_BOOT_OK = 0,
	ENGINE_BOOT_USAGE,          /* a bad request (component, strategy, no file) */
	ENGINE_BOOT_OPEN,           /* config or store could not be opened (see failed_at) */
	ENGINE_BOOT_CONTEXT,        /* the namespace gives no table context (not in agent.yml ...) */
	ENGINE_BOOT_EMBEDDER,       /* the configured model cannot run (not served, server down, another
	                             * dimension): nothing was written */
	ENGINE_BOOT_NOT_CONFIRMED,  /* overwrite without confirmation: nothing changed */
	ENGINE_BOOT_YAML,           /* the file is wrong: nothing was written */
	ENGINE_BOOT_INTERRUPTED,    /* Ctrl-C: committed batches are kept (an overwrite changed nothing) */
	ENGINE_BOOT_SERVER_CANCEL,  /* the server cancelled a statement (statement_timeout ...) */
	ENGINE_BOOT_EMBEDDER_LOST,  /* the embedding server failed mid-load (stopped, dropped the
	                             * connection, answered an error): the store is fine, committed
	                             * batches are kept (an overwrite changed nothing) */
	ENGINE_BOOT_FAILED,         /* anything else, incl. the guard's model mismatch */
};

struct engine_bootstrap_res {
	struct bootstrap_result part[ENGINE_BOOT_MAX_PARTS];
	const char *name[ENGINE_BOOT_MAX_PARTS];
	char embedder[ENGINE_BOOT_MAX_PARTS][400]; /* what embedded each part (hashing named as such) */
	int nparts;                 /* components that ran (the last one may have failed) */
	int failure;                /* enum engine_boot_failure */
	const char *failed_at;      /* ENGINE_BOOT_OPEN: "config" or "store" */
	int exit;                   /* the run's exit code (engine/exitcodes.def) */
};

/* Runs the request; VB_OK or the status of the failure with err and res filled. */
int engine_bootstrap_kb(struct engine *e, const struct engine_bootstrap_req *req, struct engine_bootstrap_res *res,
                        struct vb_error *err);
/* Whether the request needs the person's confirmation first (overwrite). */
int engine_bootstrap_needs_confirm(const struct engine_bootstrap_req *req);

#endif
