/* backends/lancedb/lancedb.h - Datus's default store, LanceDB, read and written through LanceDB's
 * own library: a node helper (helper/vb-lance-helper.mjs) per open store, spoken to over pipes
 * with the framed protocol of helper/protocol.md.  Registered as "lancedb" (alias "lance"). */
#ifndef VB_LANCEDB_H
#define VB_LANCEDB_H

#include "../vb.h"

extern const struct vb_ops vb_lancedb_ops;

/* The LanceDB directory of cfg's namespace, as Datus lays it out: <data_dir>/datus_db_<namespace>,
 * where data_dir is Datus's {home}/data (cfg->data_dir, else ~/.datus/data).  Heap string. */
char *vb_lancedb_path(const struct vb_config *cfg);

/* The helper script vbadmin runs and whether LanceDB's library is installed beside it; fills
 * why (a sentence saying how to enable LanceDB) and returns 0 when it is not.  path may be NULL. */
int vb_lancedb_available(char **path, char *why, size_t len);

#endif
