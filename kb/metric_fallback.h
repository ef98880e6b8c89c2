/* kb/metric_fallback.h - Datus's knowledge-base fallback for a metric whose file has no
 * data_source (its metrics generator writes metrics apart from the semantic model).
 *
 * Mirrors datus/cli/generation_hooks.py::_sync_semantic_to_db (the `elif base_measures:`
 * branch) with SemanticModelRAG.get_semantic_model (datus/storage/semantic_model/store.py):
 *   1. the first semantic_model row with kind = 'column', is_measure true and name =
 *      base_measures[0] gives the table; semantic_model_name becomes its table_name;
 *   2. the table row (kind = 'table', table_name = t; retried with lower(t) when t has capitals);
 *   3. its column rows (same table_name, and the table row's catalog/database/schema where those
 *      are not empty): is_dimension rows give dimensions, otherwise is_entity_key rows give
 *      entities, in the order the store returns them.
 * Rows are those of the namespace the handle serves.  subject_path is not changed: Datus
 * builds it from the file's own table name ("Unknown" here) before the lookup. */
#ifndef KB_METRIC_FALLBACK_H
#define KB_METRIC_FALLBACK_H

#include "../backends/vb.h"
#include "semantic.h"

/* Does nothing unless o->kb_fallback.  A measure no stored row holds leaves o as it is and
 * reports it through warn (Datus logs it and keeps the metric).  Returns a backend failure. */
int kb_metric_fallback(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *semantic_spec,
                       struct semantic_object *o, void (*warn)(void *ctx, const char *message), void *warn_ctx,
                       struct vb_error *err);

#endif
