/*
 * tally clear: permanently remove one scope's data, under its lock.
 */
#include "tally.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/fsutil.h"
#include "../lib/ledger.h"
#include "../lib/banned.h"

static const char *const clear_usage[] = {
	"tally clear [--scope <scope>] [-y | --yes] [-n | --dry-run]",
	NULL,
};

/*
 * The names in the scope directory but the lock file. The lock file is
 * never removed: a writer waiting on it, or holding it open, would lock a
 * file nobody else can see any more, and two writers would both "hold"
 * the lock (tally-ledger(5)). It is empty, so keeping it keeps no data.
 */
static int list_files(const char *dir, struct string_list *names,
		struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 :
			fail_errno(err, T_ELEDGER, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, "usage-ledger.lock"))
			continue;
		string_list_append(names, xstrdup(de->d_name));
	}
	closedir(d);
	return 0;
}

/*
 * Removes a name inside dirfd: files and symbolic links themselves (a
 * link is never followed), directories (such as import state) depth
 * first.
 */
static int remove_at(int at, const char *name, struct strbuf *err)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 :
			fail_errno(err, T_ELEDGER, "cannot stat '%s'", name);
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) ?
			fail_errno(err, T_ELEDGER, "cannot remove '%s'", name) : 0;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd)))
		return fail_errno(err, T_ELEDGER, "cannot open '%s'", name);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (remove_at(dirfd(d), de->d_name, err)) {
			closedir(d);
			return T_ELEDGER;
		}
	}
	closedir(d);
	return unlinkat(at, name, AT_REMOVEDIR) ?
		fail_errno(err, T_ELEDGER, "cannot remove '%s'", name) : 0;
}

/*
 * Lists the files again under the lock (a concurrent writer may have
 * added one since the listing that was shown) and removes them.
 */
int scope_remove_files(const struct scope *sc, size_t *removed,
		int64_t lock_timeout_ms, struct strbuf *err)
{
	struct string_list names = STRING_LIST_INIT;
	struct string_list *n = &names;
	struct ledger l;
	int dfd, ret;

	ledger_init(&l, sc->ledger_path, sc->lock_path, 0, lock_timeout_ms);
	ret = ledger_lock(&l, err);
	if (!ret)
		ret = list_files(sc->dir, n, err);
	dfd = ret ? -1 : open(sc->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	if (!ret && dfd < 0)
		ret = fail_errno(err, T_ELEDGER, "cannot open '%s'", sc->dir);
	for (size_t i = 0; !ret && i < n->nr; i++)
		ret = remove_at(dfd, n->items[i], err);
	*removed = n->nr;
	if (dfd >= 0)
		close(dfd);
	ledger_release(&l);
	for (size_t i = 0; i < n->nr; i++)
		free((char *)n->items[i]);
	string_list_release(n);
	return ret;
}

static int confirm(const struct scope *sc, size_t n)
{
	char answer[16];

	fprintf(stderr, "Remove the %zu %s of the %s scope in %s for good? "
			"[y/N] ", n, n == 1 ? "file" : "files",
			sc->is_workspace ? "workspace" : "profile", sc->dir);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return 0;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static void pick_scope(struct scope *sc, const char *which,
		const struct tally_ctx *ctx, const struct option *opts)
{
	if (!which) {
		*sc = ctx->scope;
		return;
	}
	if (!strcmp(which, "profile")) {
		scope_init(sc, ctx->scope.root, NULL);
	} else if (!strcmp(which, "workspace")) {
		if (!ctx->workspace.len)
			usage_error(clear_usage, opts, "--scope workspace: not "
					"in a workspace");
		scope_init(sc, ctx->scope.root, ctx->workspace.buf);
	} else {
		usage_error(clear_usage, opts, "--scope expects workspace or "
				"profile, not '%s'", which);
	}
}

int cmd_clear(int argc, const char **argv, struct tally_ctx *ctx)
{
	const char *which = NULL;
	int yes = 0, dry_run = 0;
	struct option opts[] = {
		OPT_STRING(0, "scope", &which, "scope",
				"workspace or profile (default: the current)"),
		OPT_BOOL('y', "yes", &yes, "do not ask for confirmation"),
		OPT_BOOL('n', "dry-run", &dry_run,
				"list what would be removed, remove nothing"),
		OPT_END(),
	};
	struct string_list names = STRING_LIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct scope sc;
	struct stat st;
	size_t removed = 0;
	int ret = 0;

	argc = parse_options_or_exit(argc, argv, opts, clear_usage,
			PARSE_OPT_NO_ARGS);
	pick_scope(&sc, which, ctx, opts);
	if (!lstat(sc.dir, &st) && !S_ISDIR(st.st_mode))
		ret = fail(&err, T_ELEDGER, "refusing to clear '%s': it is not "
				"a directory", sc.dir);
	if (!ret)
		ret = list_files(sc.dir, &names, &err);
	if (!ret && !names.nr && !dry_run)
		fprintf(stderr, "tally: nothing to clear in %s\n", sc.dir);
	else if (!ret && dry_run)
		for (size_t i = 0; i < names.nr; i++)
			printf("%s/%s\n", sc.dir, names.items[i]);
	else if (!ret && !yes && !isatty(STDIN_FILENO))
		usage_error(clear_usage, opts, "refusing to clear without --yes "
				"(standard input is not a terminal)");
	else if (!ret && !yes && !confirm(&sc, names.nr))
		ret = fail(&err, T_EFAIL, "nothing cleared");
	else if (!ret)
		ret = scope_remove_files(&sc, &removed,
				ctx->cfg.lock_timeout_ms, &err);
	if (!ret && names.nr && !dry_run)
		printf("removed %zu %s from %s\n", removed,
				removed == 1 ? "file" : "files", sc.dir);
	for (size_t i = 0; i < names.nr; i++)
		free((char *)names.items[i]);
	string_list_release(&names);
	if (which)
		scope_release(&sc);
	return report(ret, &err);
}
