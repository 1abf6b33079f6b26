#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "fsutil.h"
#include "sha256.h"
#include "banned.h"

/* Far more than any configuration needs; a bigger file is refused. */
#define WORKSPACE_FILE_MAX (1 << 20)

/* Why a workspace file is never read, or NULL when it may be. */
static const char *refusal(const struct stat *st, struct strbuf *why)
{
	size_t len = why->len;

	if (!S_ISREG(st->st_mode))
		strbuf_addstr(why, "it is not a regular file");
	else if (st->st_uid != geteuid())
		strbuf_addf(why, "it belongs to another user (uid %u)",
				(unsigned)st->st_uid);
	else if (st->st_mode & S_IWOTH)
		strbuf_addf(why, "other users may write to it (mode %03o)",
				(unsigned)(st->st_mode & 0777));
	else if (st->st_size > WORKSPACE_FILE_MAX)
		strbuf_addf(why, "it is larger than %d bytes",
				WORKSPACE_FILE_MAX);
	return why->len > len ? why->buf : NULL;
}

int trust_read_workspace_file(const char *path, struct strbuf *text,
		struct strbuf *why, struct strbuf *err)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: a FIFO in a hostile tree must not hang tally. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return fail_errno(err, T_ECONFIG, "cannot read configuration "
				"'%s'", path);
	}
	if (fstat(fd, &st)) {
		close(fd);
		return fail_errno(err, T_ECONFIG, "cannot read configuration "
				"'%s'", path);
	}
	if (refusal(&st, why)) {
		close(fd);
		return 2;
	}
	ret = strbuf_read_fd(text, fd);
	close(fd);
	if (ret)
		return fail_errno(err, T_ECONFIG, "cannot read configuration "
				"'%s'", path);
	return 0;
}

void trust_store_path(struct strbuf *out)
{
	struct strbuf cfg = STRBUF_INIT;
	char *slash;

	config_user_path(&cfg);
	slash = strrchr(cfg.buf, '/');
	if (slash) {
		strbuf_add(out, cfg.buf, (size_t)(slash - cfg.buf) + 1);
		strbuf_addstr(out, "trusted-workspaces");
	}
	strbuf_release(&cfg);
}

static void digest(const char *text, size_t len, char hex[65])
{
	sha256_hex(text, len, hex, 64);
}

/*
 * Whether a line of the store (not NUL-terminated) records path, with the
 * digest hex when that is not NULL. A malformed line (a hand edit)
 * matches nothing.
 */
static int line_matches(const char *line, size_t n, const char *path,
		const char *hex)
{
	size_t plen = strlen(path);

	if (n != 65 + plen || line[64] != ' ')
		return 0;
	if (memcmp(line + 65, path, plen))
		return 0;
	return !hex || !memcmp(line, hex, 64);
}

static int read_store(struct strbuf *store)
{
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	trust_store_path(&path);
	if (!path.len || strbuf_read_file(store, path.buf))
		ret = -1;
	strbuf_release(&path);
	return ret;
}

int trust_is_trusted(const char *path, const char *text, size_t len)
{
	struct strbuf store = STRBUF_INIT;
	char hex[65];
	int found = 0;

	if (read_store(&store)) {
		strbuf_release(&store);
		return 0;
	}
	digest(text, len, hex);
	for (const char *p = store.buf; *p && !found;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		found = line_matches(p, n, path, hex);
		p += n + (nl != NULL);
	}
	strbuf_release(&store);
	return found;
}

/*
 * Writes the store again without path's record, then with the new record
 * when hex is set. *was says whether path had a record.
 */
static int rewrite_store(const char *path, const char *hex, int *was,
		struct strbuf *err)
{
	struct strbuf store = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf file = STRBUF_INIT, dir = STRBUF_INIT;
	int ret = 0;

	*was = 0;
	trust_store_path(&file);
	if (!file.len)
		return fail(err, T_ECONFIG, "cannot find the configuration "
				"directory: HOME is not set");
	if (strbuf_read_file(&store, file.buf) && errno != ENOENT) {
		ret = fail_errno(err, T_ECONFIG, "cannot read '%s'", file.buf);
		goto out;
	}
	for (const char *p = store.buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (line_matches(p, n, path, NULL))
			*was = 1;
		else if (n) {
			strbuf_add(&out, p, n);
			strbuf_addch(&out, '\n');
		}
		p += n + (nl != NULL);
	}
	if (hex)
		strbuf_addf(&out, "%s %s\n", hex, path);
	strbuf_add(&dir, file.buf, (size_t)(strrchr(file.buf, '/') - file.buf));
	if (mkdir_p(dir.buf)) {
		ret = fail_errno(err, T_ECONFIG, "cannot create '%s'", dir.buf);
		goto out;
	}
	if (write_file_atomic(file.buf, out.buf, out.len))
		ret = fail_errno(err, T_ECONFIG, "cannot write '%s'", file.buf);
out:
	strbuf_release(&store);
	strbuf_release(&out);
	strbuf_release(&file);
	strbuf_release(&dir);
	return ret;
}

int trust_add(const char *path, const char *text, size_t len,
		struct strbuf *err)
{
	char hex[65];
	int was;

	if (strchr(path, '\n'))
		return fail(err, T_ECONFIG, "cannot trust a path holding a "
				"newline");
	digest(text, len, hex);
	return rewrite_store(path, hex, &was, err);
}

int trust_remove(const char *path, int *was, struct strbuf *err)
{
	return rewrite_store(path, NULL, was, err);
}
