/* backends/lancedb/lance_proc.c - the helper process: found, started, spoken to, ended.
 *
 * One helper per open store, started by open and ended by close.  Requests and replies share one
 * AF_UNIX stream socket (the helper's stdin and stdout), so a helper that died is an EPIPE/EOF we
 * report, never a SIGPIPE that kills vbadmin (send with MSG_NOSIGNAL).  Its stderr is a pipe we
 * drain while waiting, keeping the last lines for error details. */
#include "lance.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef VB_PLUGINDIR
#define VB_PLUGINDIR "/usr/local/lib/vbadmin"
#endif

#define HELPER_NAME "vb-lance-helper.mjs"
#define MAX_FRAME (1u << 30)

extern char **environ;

static int file_exists(const char *p)
{
	return access(p, R_OK) == 0;
}

/* The helper script: $VBADMIN_LANCEDB_HELPER, beside the executable (the source tree: ./vbadmin
 * and build/<san>/vbadmin), then the install directory. */
static char *find_helper(void)
{
	const char *env = getenv("VBADMIN_LANCEDB_HELPER");
	if (env && *env)
		return vb_xstrdup(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			static const char *const rel[] = {"", "/../..", "/.."};
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				char *p = vb_xasprintf("%s%s/backends/lancedb/helper/" HELPER_NAME, exe, rel[i]);
				if (file_exists(p))
					return p;
				free(p);
			}
		}
	}
	return vb_xstrdup(VB_PLUGINDIR "/lancedb/" HELPER_NAME);
}

int vb_lancedb_available(char **path, char *why, size_t len)
{
	char *helper = find_helper();
	char *dir = vb_xstrdup(helper);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	char *lib = vb_xasprintf("%s/node_modules/@lancedb/lancedb/package.json", slash ? dir : ".");
	int ok = 1;
	if (!file_exists(helper)) {
		snprintf(why, len, "the LanceDB helper %s is missing: reinstall vbadmin, or set VBADMIN_LANCEDB_HELPER", helper);
		ok = 0;
	} else if (!file_exists(lib)) {
		snprintf(why, len, "LanceDB's library is not installed beside %s: run `make deps` "
		                   "(apt node + npm, then npm ci in %s)", helper, slash ? dir : ".");
		ok = 0;
	} else if (why && len) {
		why[0] = '\0';
	}
	free(lib);
	free(dir);
	if (path)
		*path = helper;
	else
		free(helper);
	return ok;
}

static void tail_add(struct lance_proc *p, const char *s, size_t n)
{
	size_t cap = sizeof p->tail - 1;
	if (n >= cap) {
		s += n - cap;
		n = cap;
	}
	if (p->tail_len + n > cap) {
		size_t drop = p->tail_len + n - cap;
		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len -= drop;
	}
	memcpy(p->tail + p->tail_len, s, n);
	p->tail_len += n;
	p->tail[p->tail_len] = '\0';
}

/* The stderr tail as the error's detail (its last 511 bytes: the newest lines matter). */
static void tail_detail(const struct lance_proc *p, struct vb_error *err)
{
	size_t n = p->tail_len < sizeof err->detail - 1 ? p->tail_len : sizeof err->detail - 1;
	memcpy(err->detail, p->tail + p->tail_len - n, n);
	err->detail[n] = '\0';
	while (n && (err->detail[n - 1] == '\n' || err->detail[n - 1] == ' '))
		err->detail[--n] = '\0';
}

static void drain_stderr(struct lance_proc *p)
{
	char buf[4096];
	ssize_t n;
	while (p->err >= 0 && (n = read(p->err, buf, sizeof buf)) > 0)
		tail_add(p, buf, (size_t)n);
}

int lance_proc_start(struct vb_handle *h, struct vb_error *err)
{
	char why[512];
	char *helper = NULL;
	if (!vb_lancedb_available(&helper, why, sizeof why)) {
		free(helper);
		return vb_err_set(err, VB_ERR_CONNECT, "LanceDB is not enabled: %s", why);
	}
	int sv[2], ep[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(helper);
		return vb_err_set(err, VB_ERR_INTERNAL, "cannot start the LanceDB helper: socketpair: %s", strerror(errno));
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(sv[0]);
		close(sv[1]);
		free(helper);
		return vb_err_set(err, VB_ERR_INTERNAL, "cannot start the LanceDB helper: pipe: %s", strerror(errno));
	}
	const char *node = getenv("VBADMIN_NODE");
	if (!node || !*node)
		node = "node";
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	char *argv[] = {(char *)node, helper, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, node, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	close(ep[1]);
	free(helper);
	if (rc != 0) {
		close(sv[0]);
		close(ep[0]);
		return vb_err_set(err, VB_ERR_CONNECT, "LanceDB is not enabled: cannot run %s (%s); install node with "
		                  "`make deps` or set VBADMIN_NODE", node, strerror(rc));
	}
	fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
	h->proc = (struct lance_proc){.pid = pid, .to = sv[0], .from = sv[0], .err = ep[0]};
	return VB_OK;
}

void lance_proc_stop(struct lance_proc *p)
{
	if (p->to >= 0) {
		shutdown(p->to, SHUT_WR); /* end of requests: the helper finishes and exits */
	}
	if (p->pid > 0) {
		int status;
		for (int i = 0; i < 120000; i++) { /* 1 ms steps: close returns as soon as the helper is gone */
			if (waitpid(p->pid, &status, WNOHANG) != 0)
				goto reaped;
			drain_stderr(p);
			struct timespec ts = {0, 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		kill(p->pid, SIGKILL); /* stuck 2 min after its input ended (optimizing what was written) */
		waitpid(p->pid, &status, 0);
	}
reaped:
	if (p->to >= 0)
		close(p->to);
	if (p->err >= 0)
		close(p->err);
	*p = (struct lance_proc){.pid = -1, .to = -1, .from = -1, .err = -1};
}

/* Why the helper went away, in err (VB_ERR_CANCELLED when it was interrupted with the user's Ctrl-C). */
static int helper_gone(struct vb_handle *h, const char *what, struct vb_error *err)
{
	struct lance_proc *p = &h->proc;
	int status = 0, st = VB_ERR_INTERNAL;
	char how[64] = "";
	drain_stderr(p);
	if (p->pid > 0 && waitpid(p->pid, &status, 0) == p->pid) {
		p->pid = -1;
		if (WIFSIGNALED(status)) {
			snprintf(how, sizeof how, " (killed by signal %d)", WTERMSIG(status));
			if (WTERMSIG(status) == SIGINT)
				st = VB_ERR_CANCELLED;
		} else if (WIFEXITED(status)) {
			snprintf(how, sizeof how, " (exit status %d)", WEXITSTATUS(status));
		}
	}
	vb_err_set(err, st, "the LanceDB helper for %s stopped %s%s", h->dir, what, how);
	if (p->tail_len)
		tail_detail(p, err);
	return st;
}

static int send_all(struct vb_handle *h, const char *data, size_t len, struct vb_error *err)
{
	while (len) {
		ssize_t n = send(h->proc.to, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return helper_gone(h, "taking requests", err);
		data += n;
		len -= (size_t)n;
	}
	return VB_OK;
}

/* Reads exactly len bytes, draining stderr meanwhile so a chatty helper never blocks. */
static int recv_all(struct vb_handle *h, unsigned char *out, size_t len, struct vb_error *err)
{
	struct lance_proc *p = &h->proc;
	while (len) {
		struct pollfd fds[2] = {{p->from, POLLIN, 0}, {p->err, POLLIN, 0}};
		if (poll(fds, p->err >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return vb_err_set(err, VB_ERR_INTERNAL, "waiting for the LanceDB helper: %s", strerror(errno));
		}
		if (p->err >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
			char buf[4096];
			ssize_t n = read(p->err, buf, sizeof buf);
			if (n > 0)
				tail_add(p, buf, (size_t)n);
			else if (n == 0) {
				close(p->err);
				p->err = -1;
			}
		}
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = recv(p->from, out, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return helper_gone(h, "before replying", err);
		out += n;
		len -= (size_t)n;
	}
	return VB_OK;
}

void lance_req(struct vb_handle *h, const char *op, const char *table, uint32_t n)
{
	lw_begin(&h->req);
	lw_map(&h->req, n + 1 + (table ? 1 : 0));
	lw_str(&h->req, "op");
	lw_str(&h->req, op);
	if (table) {
		lw_str(&h->req, "table");
		lw_str(&h->req, table);
	}
}

struct lw_val *lance_call(struct vb_handle *h, struct vb_error *err)
{
	if (h->proc.pid <= 0) {
		vb_err_set(err, VB_ERR_INTERNAL, "the LanceDB helper for %s is not running", h->dir);
		return NULL;
	}
	lw_end(&h->req);
	drain_stderr(&h->proc);
	h->proc.tail_len = 0; /* details belong to this request only */
	h->proc.tail[0] = '\0';
	if (send_all(h, h->req.data, h->req.len, err) != VB_OK)
		return NULL;
	unsigned char hdr[4];
	if (recv_all(h, hdr, 4, err) != VB_OK)
		return NULL;
	uint32_t n = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
	if (n > MAX_FRAME) {
		vb_err_set(err, VB_ERR_INTERNAL, "the LanceDB helper sent a %u-byte reply; protocol out of step", n);
		return NULL;
	}
	unsigned char *body = vb_xmalloc(n ? n : 1);
	if (recv_all(h, body, n, err) != VB_OK) {
		free(body);
		return NULL;
	}
	struct lw_val *v = lw_decode(body, n);
	free(body);
	if (!v || v->tag != 'M') {
		lw_free(v);
		vb_err_set(err, VB_ERR_INTERNAL, "the LanceDB helper sent a malformed reply");
		return NULL;
	}
	const struct lw_val *ok = lw_get(v, "ok");
	if (ok && ok->tag == 'T')
		return v;
	int st = (int)lw_get_int(v, "status", VB_ERR_SERVER);
	if (st <= VB_OK || st > VB_ERR_ABI)
		st = VB_ERR_SERVER;
	const char *msg = lw_get_str(v, "message");
	vb_err_set(err, st, "%s", msg ? msg : "LanceDB failed without a message");
	drain_stderr(&h->proc);
	if (h->proc.tail_len)
		tail_detail(&h->proc, err);
	lw_free(v);
	return NULL;
}

int lance_call_ok(struct vb_handle *h, struct vb_error *err)
{
	struct lw_val *v = lance_call(h, err);
	if (!v)
		return err->status ? err->status : VB_ERR_INTERNAL;
	lw_free(v);
	return VB_OK;
}
