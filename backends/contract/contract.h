/* backends/contract/contract.h - the backend contract suite: the checks every backend (built-in, the
 * pgvector plugin, third-party plugins) must pass, run live through its vtable.
 *
 * It works only in its own table (CONTRACT_TABLE) and its own row namespaces, so it never
 * touches the user's data: SQL backends (VB_CAP_SQL) get the table created through their
 * exec_script slot and dropped at the end; backends that create tables (VB_CAP_CREATES) get
 * it through ensure_table and have the suite's namespaces cleared at the end. */
#ifndef BACKENDS_CONTRACT_H
#define BACKENDS_CONTRACT_H

#include <stdio.h>

#include "../vb.h"

#define CONTRACT_TABLE "vb_contract_items"
#define CONTRACT_NS_A "vb_contract_a"
#define CONTRACT_NS_B "vb_contract_b"
#define CONTRACT_DIM 4

struct contract_stats {
	int passed;
	int failed;
	int unsupported; /* optional slots the backend does not offer (counted as passed too) */
	int open_status; /* enum vb_status of a failed open (nothing else ran), else VB_OK */
};

/* Runs every check against `ops`, opening it twice from cfg (namespace replaced by
 * CONTRACT_NS_A / CONTRACT_NS_B; everything else, such as host, schema and data_dir, as given).
 * Prints TAP lines "ok N - ..." / "not ok N - ..." with "# " diagnostics, the plan and a
 * summary to out.  Returns the number of failed checks (0 = the backend passes). */
int contract_run(const struct vb_ops *ops, const struct vb_config *cfg, FILE *out, struct contract_stats *stats);

#endif
