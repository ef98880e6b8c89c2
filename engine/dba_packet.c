/* engine/dba_packet.c - the DBA packet (see engine.h): everything only a DBA can do for this
 * namespace, as a plain-text note ready to mail: the exact SQL or shell, and why. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/vb_util.h"
#include "engine.h"

static void indent(struct vb_buf *b, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		vb_buf_add(b, "    ");
		vb_buf_addn(b, p, n);
		vb_buf_addc(b, '\n');
		p = nl ? nl + 1 : NULL;
	}
}

/* A value as an SQL string literal for the packet's verify queries (a DBA pastes them). */
static void add_literal(struct vb_buf *b, const char *v)
{
	vb_buf_addc(b, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '\'')
			vb_buf_addc(b, '\'');
		vb_buf_addc(b, *p);
	}
	vb_buf_addc(b, '\'');
}

/* "has_xxx_privilege('role', 'object', 'PRIV') AS name" */
static void add_priv(struct vb_buf *b, const char *fn, const char *role, const char *obj, const char *priv,
                     const char *as)
{
	vb_buf_printf(b, "%s(", fn);
	add_literal(b, role);
	vb_buf_add(b, ", ");
	add_literal(b, obj);
	vb_buf_printf(b, ", '%s') AS %s", priv, as);
}

/* Verify queries for what the items asked for: the extension, and the role's privileges. */
static void add_verify(struct vb_buf *b, int ext, int grants, const char *role, const char *db, const char *schema)
{
	vb_buf_add(b, "To verify afterwards:\n\n");
	if (ext)
		indent(b, "SELECT extname, extversion FROM pg_extension WHERE extname = 'vector';");
	if (grants) {
		struct vb_buf q;
		vb_buf_init(&q);
		vb_buf_add(&q, "SELECT ");
		add_priv(&q, "has_database_privilege", role, db, "CREATE", "db_create");
		vb_buf_add(&q, ",\n       ");
		add_priv(&q, "has_schema_privilege", role, schema, "USAGE", "schema_usage");
		vb_buf_add(&q, ",\n       ");
		add_priv(&q, "has_schema_privilege", role, schema, "CREATE", "schema_create");
		vb_buf_add(&q, ";");
		indent(b, q.data);
		vb_buf_free(&q);
	}
	vb_buf_add(b, "\nThen the operator re-runs: vbadmin check\n");
}

/* The packet text for an engine whose steps have run; returns the number of DBA items.  Two
 * steps failing for the same reason with the same fix are one item, not two. */
int engine_dba_packet(struct engine *e, struct vb_buf *b)
{
	const char *db = e->current_db ? e->current_db : e->vbc.database ? e->vbc.database : "postgres";
	char when[32];
	time_t now = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
	vb_buf_add(b, "Subject: PostgreSQL changes needed for the vector knowledge base (vbadmin)\n\n");
	vb_buf_printf(b, "Server:    %s:%d (%s)\n", e->vbc.host ? e->vbc.host : "(default)", e->vbc.port,
	              e->server_version ? e->server_version : "version unknown");
	vb_buf_printf(b, "Database:  %s\nSchema:    %s\nRole:      %s\nNamespace: %s\nGenerated: %s by vbadmin dba-packet\n\n",
	              db, e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public",
	              e->current_user ? e->current_user : (e->vbc.username ? e->vbc.username : "?"),
	              e->vbc.namespace ? e->vbc.namespace : "default", when);
	const char *role = e->current_user ? e->current_user : (e->vbc.username ? e->vbc.username : "?");
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	int items = 0, ext = 0, grants = 0;
	const char *seen[STEP__COUNT];
	int nseen = 0;
	for (int i = 0; i < step_ndefs; i++) {
		const struct step_def *d = &step_defs[i];
		if (!engine_step_applies(e, d->id))
			continue;
		const struct step_result *r = engine_result(e, d->id);
		const struct advice *a = r->advice_id ? advice_get(r->advice_id) : NULL;
		if (r->status != STEP_FAIL || !a || a->who != ADV_DBA)
			continue;
		const char *fix = r->fix ? r->fix : a->fix;
		int dup = 0;
		for (int k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], fix ? fix : "") == 0;
		if (dup)
			continue;
		seen[nseen++] = fix ? fix : "";
		ext |= strcmp(a->id, "VEC-001") == 0 || strcmp(a->id, "VEC-006") == 0 || (fix && strstr(fix, "EXTENSION"));
		grants |= fix && strstr(fix, "GRANT") != NULL;
		items++;
		vb_buf_printf(b, "%d. %s\n\n   Why: ", items, a->title);
		char *cause = r->why ? NULL : engine_render(e, a->cause, NULL, NULL, 0);
		vb_buf_add(b, r->why ? r->why : cause);
		free(cause);
		vb_buf_printf(b, "\n   Found by vbadmin (%s, class %s): %s\n\n   Please run", d->name,
		              r->errclass[0] ? r->errclass : "-", r->message ? r->message : "");
		if (strcmp(a->id, "VEC-001") == 0 || strcmp(a->id, "VEC-006") == 0)
			vb_buf_add(b, " (on the database server, then as a superuser):\n\n");
		else
			vb_buf_printf(b, " as a superuser in database %s:\n\n", db);
		indent(b, r->fix ? r->fix : a->fix);
		/* 0A000 also needs the extension created once the package is there */
		if (strcmp(a->id, "VEC-001") == 0 && r->fix && !strstr(r->fix, "CREATE EXTENSION"))
			indent(b, ENGINE_CREATE_EXTENSION_SQL);
		vb_buf_addc(b, '\n');
	}
	if (!items) {
		vb_buf_add(b, "Nothing needs a DBA: the role can do every remaining step itself.\n");
	} else {
		add_verify(b, ext || !grants, grants, role, db, schema);
	}
	return items;
}
