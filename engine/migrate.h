/* engine/migrate.h - `vbadmin migrate`: copy a namespace's knowledge base from one store to another
 * (LanceDB -> pgvector first, any pair works), never touching the source.
 *
 * Each table is copied by its key column (id / identifier / chunk_id): the source's keys are read and
 * sorted, then fetched and upserted batch by batch, so a re-run writes the same rows again instead of
 * duplicating them (idempotent) and a killed run resumes after the last batch it recorded in its state
 * file.  At the end every key is counted in the target and a sample of rows is compared cell by cell,
 * vectors bit for bit. */
#ifndef ENGINE_MIGRATE_H
#define ENGINE_MIGRATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "../backends/vb.h"
#include "../config/config.h"

struct migrate_opts {
	const char *from, *to;       /* backend names as typed (aliases allowed) */
	const char *tables;          /* "a,b" or NULL: every knowledge-base vector table the source has */
	int batch_rows;              /* rows per batch (default 500) */
	const char *state_dir;       /* directory of the resume state file; NULL: migrate_state_dir() */
	void (*progress)(void *ctx, const char *table, int64_t done, int64_t total);
	void *progress_ctx;
	const atomic_int *cancelled; /* checked between batches */
};

struct migrate_table {
	const char *name;
	int present;                 /* the source has the table */
	int64_t source_rows;         /* rows in the source */
	int64_t keys;                /* distinct keys (rows the target will hold) */
	int64_t copied;              /* rows upserted by this run */
	int64_t resumed;             /* rows a previous run had copied (skipped now) */
	int64_t verified;            /* keys found in the target */
	int sampled, sample_equal;   /* rows compared cell by cell, and how many were equal */
	int dim;                     /* the source's vector dimension */
	int ran;                     /* this run reached the table */
	int ok;                      /* copied and verified */
	char message[256];           /* why not, or a note (duplicate keys) */
};

struct migrate {
	struct vb_config src, dst;
	const struct vb_ops *sops, *dops;
	struct vb_handle *sh, *dh;
	char *src_desc, *dst_desc;   /* "lancedb /home/me/.datus/data/datus_db_ns" */
	char *state_path;
	struct migrate_table *t;
	int n;
	double seconds;
	int64_t rows;
};

/* Resolves and opens both stores, lists the tables with their source row counts.  The source is
 * only read.  On failure *out is NULL and err says which side. */
int migrate_open(const struct config *cfg, const char *ns, const struct migrate_opts *o, struct migrate **out,
                 struct vb_error *err);
/* Copies and verifies every table of the plan; VB_OK when every table verified.  A failed table
 * stops the run (err); VB_ERR_CANCELLED when o->cancelled was set (committed batches stay). */
int migrate_run(struct migrate *m, const struct migrate_opts *o, struct vb_error *err);
void migrate_close(struct migrate **m);

/* migrate_rows.c: text cells of a search_all result as typed values of spec's columns. */
struct migrate_cells;
struct migrate_cells *migrate_cells_parse(const struct vb_table_spec *spec, const struct vb_result *r,
                                          struct vb_error *err);
const struct vb_rows *migrate_cells_rows(const struct migrate_cells *c);
/* Row index of key in c, or -1. */
long migrate_cells_find(const struct migrate_cells *c, int key_col, const char *key);
/* Are row ra of a and row rb of b equal in every column (vectors bit for bit)?  On a difference
 * fills why with the column. */
int migrate_cells_equal(const struct migrate_cells *a, long ra, const struct migrate_cells *b, long rb, char *why,
                        size_t len);
void migrate_cells_free(struct migrate_cells *c);

/* migrate_state.c: the resume record, one line per table: name, key count, key hash, batches done. */
int migrate_state_done(const char *path, const char *table, int64_t nkeys, uint64_t hash);
void migrate_state_save(const char *path, const char *table, int64_t nkeys, uint64_t hash, int done);
void migrate_state_clear(const char *path);
/* $XDG_STATE_HOME/vbadmin (else ~/.local/state/vbadmin), created 0700; heap string. */
char *migrate_state_dir(void);

#endif
