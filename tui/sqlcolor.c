/* tui/sqlcolor.c - SQL lines drawn token by token: keywords, strings and comments in their
 * roles.  Without colour the roles fall back to bold / dim, so nothing depends on colour. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

static const char *const sql_keywords[] = {
	"ADD", "ALTER", "AND", "AS", "BEGIN", "BIGINT", "BIGSERIAL", "BOOLEAN", "BY", "COALESCE", "COLUMN",
	"COMMENT", "COMMIT", "CONSTRAINT", "CREATE", "DEFAULT", "DELETE", "DROP", "EXISTS", "EXTENSION",
	"FALSE", "FROM", "GIN", "GRANT", "HNSW", "IF", "INDEX", "INSERT", "INTO", "KEY", "LIMIT", "NOT", "NULL",
	"ON", "OR", "ORDER", "PRIMARY", "REFERENCES", "SCHEMA", "SELECT", "SET", "TABLE", "TEXT", "TIMESTAMP",
	"TO", "TRUE", "UNIQUE", "UPDATE", "USING", "VALUES", "WHERE", "WITH",
};

static int is_keyword(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof sql_keywords / sizeof sql_keywords[0]; i++)
		if (strlen(sql_keywords[i]) == n && strncasecmp(sql_keywords[i], w, n) == 0)
			return 1;
	return 0;
}

static int put(int y, int x, int end, int role, const char *s, size_t n)
{
	char buf[512];
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	tui_print(y, x, end - x, role, buf);
	/* columns, not bytes: UTF-8 continuation bytes take no column */
	int cols = 0;
	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)buf[i] & 0xC0) != 0x80;
	return x + cols;
}

void tui_print_sql(int y, int x, int width, const char *line)
{
	int end = x + width;
	const char *p = line;
	while (*p && x < end) {
		if (p[0] == '-' && p[1] == '-') {
			put(y, x, end, ROLE_SQL_COMMENT, p, strlen(p));
			return;
		}
		if (*p == '#' && p == line) { /* shell comment in an advice fix */
			put(y, x, end, ROLE_SQL_COMMENT, p, strlen(p));
			return;
		}
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			size_t n = q ? (size_t)(q - p + 1) : strlen(p);
			x = put(y, x, end, ROLE_SQL_STRING, p, n);
			p += n;
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *q = p;
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			x = put(y, x, end, is_keyword(p, (size_t)(q - p)) ? ROLE_SQL_KEYWORD : ROLE_NORMAL, p, (size_t)(q - p));
			p = q;
			continue;
		}
		const char *q = p;
		while (*q && *q != '\'' && !isalpha((unsigned char)*q) && *q != '_' && !(q[0] == '-' && q[1] == '-'))
			q++;
		x = put(y, x, end, ROLE_NORMAL, p, (size_t)(q - p));
		p = q;
	}
}
