/* backends/embedded/embedded.h - the built-in default backend: one SQLite file per namespace,
 * FTS5 for text, float32 vectors with an exact top-k scan.  Registered as "embedded". */
#ifndef VB_EMBEDDED_H
#define VB_EMBEDDED_H

#include "../vb.h"

extern const struct vb_ops vb_embedded_ops;

/* Where the store of `cfg` lives: cfg->data_dir, else $XDG_DATA_HOME/vbadmin, else
 * ~/.local/share/vbadmin; the file is <dir>/<namespace>.db.  Heap strings. */
char *vb_embedded_data_dir(const struct vb_config *cfg);
char *vb_embedded_path(const struct vb_config *cfg);

#endif
