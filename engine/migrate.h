/* engine/migrate.h - `vbadmin migrate`: copy a namespace's knowledge base from one store to another
 * (LanceDB -> pgvector first, any pair works), never touching the source.
 *
 * Each table is copied by its key column (id / identifier / chunk_id) in batches that are upserted,
 * so a re-run writes the same rows again instead of duplicating them (idempotent).  A source with
 * the scan slot (LanceDB) is streamed in its own order; any other is read by its sorted keys.  After
 * every committed batch the state file records how many rows of that walk are in the target and a
 * hash of their keys in walk order: a killed run's re-run checks that hash against the source's walk
 * as it is now and goes on right after those rows, or copies the table again when the source has
 * changed.  At the end every key is counted in the target and a sample of rows is compared cell by
 * cell, vectors bit for bit. */
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
	int64_t resumed;             /* rows of the walk an interrupted run had committed (skipped now) */
	int64_t verified;            /* keys found in the target */
	int sampled, sample_equal;   /* rows compared cell by cell, and how many were equal */
	int dim;                     /* the source's vector dimension */
	char version[32];            /* the source table's version as its store names it, "" if none */
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

/* migrate_copy.c: copies table t (spec: its columns at the source's dimension) from the source to
 * the target, resuming after an interrupted run's committed rows, then verifies it (t->ok); for
 * migrate_run. */
int migrate_copy_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                       const struct vb_table_spec *spec, struct vb_error *err);

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

/* migrate_state.c: the resume record, one line per table, rewritten whole after every batch. */
struct migrate_mark {
	int64_t keys;                /* distinct keys of the source ... */
	uint64_t key_hash;           /* ... and FNV-1a over them sorted: the source's key set */
	char version[32];            /* the source table's version ("" when its store has none) */
	int64_t rows;                /* rows of the walk committed in the target ... */
	uint64_t walk_hash;          /* ... and FNV-1a over their keys in walk order */
};
/* 1 and *out filled when path records table, else 0. */
int migrate_state_get(const char *path, const char *table, struct migrate_mark *out);
void migrate_state_put(const char *path, const char *table, const struct migrate_mark *mark);
void migrate_state_clear(const char *path);
/* FNV-1a of key and its terminating NUL, continuing from h (start: MIGRATE_FNV_START). */
#define MIGRATE_FNV_START 1469598103934665603ull
uint64_t migrate_fnv(uint64_t h, const char *key);
/* $XDG_STATE_HOME/vbadmin (else ~/.local/state/vbadmin), created 0700; heap string. */
char *migrate_state_dir(void);

#endif
