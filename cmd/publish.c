/*
 * tally publish, tally pull: one history across machines through a
 * shared folder (lib/publish.h does the work).
 */
#include "tally.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/publish.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static const char *const publish_usage[] = {
	"tally publish [--git] [--json] <folder>",
	NULL,
};

static const char *const pull_usage[] = {
	"tally pull [--git] [--json] <folder>",
	NULL,
};

/*
 * Runs the user's git in the folder (git -C <folder> <args>), its output
 * on stderr (or nowhere, quiet), none of ours on its input: 0 when it
 * exited 0, else its status (-1 when it could not run).
 */
static int git_run(const char *folder, const char *const *args, int quiet)
{
	const char *argv[16] = { "git", "-C", folder };
	size_t n = 3;
	pid_t pid;
	int status;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		int out = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : 2;

		if (null >= 0)
			dup2(null, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int git(const char *folder, const char *const *args)
{
	return git_run(folder, args, 0);
}

/* Whether the folder's branch has an upstream to pull and push. */
static int git_has_upstream(const char *folder)
{
	const char *args[] = { "rev-parse", "--quiet", "--verify",
		"@{upstream}", NULL };

	return !git_run(folder, args, 1);
}

static int git_fail(struct strbuf *err, const char *folder, const char *what)
{
	return fail(err, T_EFAIL, "git %s in '%s' failed (its message is "
			"above)", what, folder);
}

/*
 * Brings the folder up to date: the other devices' new segments. A
 * clone of a repository that was empty then has no upstream yet: its
 * origin's default branch, when there is one by now.
 */
static int git_pull(const char *folder, struct strbuf *err)
{
	const char *args[] = { "pull", "--quiet", "--rebase", NULL };
	const char *first[] = { "pull", "--quiet", "--rebase", "origin",
		"HEAD", NULL };

	if (!git_has_upstream(folder)) {
		git_run(folder, first, 1);   /* an empty origin has none */
		return 0;
	}
	return git(folder, args) ? git_fail(err, folder, "pull") : 0;
}

/*
 * Commits this device's directory and pushes it. Each device writes its
 * own directory only, so the rebase onto the others' commits never
 * conflicts.
 */
static int git_push(const char *folder, const char *self,
		const struct publish_stats *st, struct strbuf *err)
{
	struct strbuf msg = STRBUF_INIT;
	const char *add[] = { "add", "--", self, NULL };
	const char *staged[] = { "diff", "--cached", "--quiet", "--", self,
		NULL };
	const char *commit[] = { "commit", "--quiet", "-m", NULL, "--", self,
		NULL };
	const char *push_up[] = { "push", "--quiet", NULL };
	const char *push_new[] = { "push", "--quiet", "--set-upstream",
		"origin", "HEAD", NULL };
	int ret = 0;

	if (git(folder, add))
		return git_fail(err, folder, "add");
	if (!git(folder, staged))
		return 0;   /* nothing new: nothing to commit or push */
	strbuf_addf(&msg, "tally: %s rows %llu-%llu", self,
			(unsigned long long)st->first,
			(unsigned long long)st->last);
	commit[3] = msg.buf;
	if (git(folder, commit))
		ret = git_fail(err, folder, "commit");
	else if (git_pull(folder, err))
		ret = T_EFAIL;
	else if (git(folder, git_has_upstream(folder) ? push_up : push_new))
		ret = git_fail(err, folder, "push");
	strbuf_release(&msg);
	return ret;
}

static void publish_opts_of(const struct tally_ctx *ctx, const char *folder,
		struct publish_opts *o)
{
	o->root = ctx->scope.root;
	o->folder = folder;
	o->device_name = config_get(&ctx->cfg, "device_name");
	o->now = now_ms();
	o->fsync = ctx->cfg.fsync;
	o->lock_timeout_ms = ctx->cfg.lock_timeout_ms;
}

int cmd_publish(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0, use_git = 0;
	struct option opts[] = {
		OPT_BOOL(0, "git", &use_git, "the folder is a git repository: "
				"commit, pull and push it"),
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct publish_opts o;
	struct publish_stats st;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, publish_usage, 0);
	if (argc != 2)
		usage_error(publish_usage, opts, argc > 2 ? "publish takes one "
				"folder" : "publish needs a folder");
	publish_opts_of(ctx, argv[1], &o);
	ret = use_git ? git_pull(argv[1], &err) : 0;
	if (!ret)
		ret = publish_run(&o, &st, &err);
	if (!ret && use_git)
		ret = git_push(argv[1], st.device, &st, &err);
	if (!ret && json) {
		struct jsonw w;

		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_string(&w, "deviceId", st.device);
		jw_kv_int(&w, "rows", (int64_t)st.rows);
		if (st.rows) {
			jw_kv_int(&w, "firstRow", (int64_t)st.first);
			jw_kv_int(&w, "lastRow", (int64_t)st.last);
		}
		jw_kv_int(&w, "otherDevicesRows", (int64_t)st.others);
		jw_object_end(&w);
		strbuf_addch(&out, '\n');
	} else if (!ret && st.rows) {
		strbuf_addf(&out, "published %llu row%s of %s "
				"(rows %llu-%llu)\n",
				(unsigned long long)st.rows,
				st.rows == 1 ? "" : "s", st.device,
				(unsigned long long)st.first,
				(unsigned long long)st.last);
	} else if (!ret) {
		strbuf_addf(&out, "nothing new to publish from %s\n",
				st.device);
	}
	flush_out(&out);
	strbuf_release(&out);
	return report(ret, &err);
}

int cmd_pull(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0, use_git = 0;
	struct option opts[] = {
		OPT_BOOL(0, "git", &use_git, "the folder is a git repository: "
				"pull it first"),
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct publish_opts o;
	struct pull_stats st;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, pull_usage, 0);
	if (argc != 2)
		usage_error(pull_usage, opts, argc > 2 ? "pull takes one "
				"folder" : "pull needs a folder");
	publish_opts_of(ctx, argv[1], &o);
	ret = use_git ? git_pull(argv[1], &err) : 0;
	if (!ret)
		ret = pull_run(&o, &st, &err);
	if (!ret && json) {
		struct jsonw w;

		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_int(&w, "devices", (int64_t)st.devices);
		jw_kv_int(&w, "segments", (int64_t)st.segments);
		jw_kv_int(&w, "rows", (int64_t)st.rows);
		jw_kv_int(&w, "waiting", (int64_t)st.waiting);
		jw_kv_int(&w, "superseded", (int64_t)st.superseded);
		jw_object_end(&w);
		strbuf_addch(&out, '\n');
	} else if (!ret) {
		strbuf_addf(&out, "pulled %llu row%s in %llu segment%s from "
				"%llu device%s",
				(unsigned long long)st.rows,
				st.rows == 1 ? "" : "s",
				(unsigned long long)st.segments,
				st.segments == 1 ? "" : "s",
				(unsigned long long)st.devices,
				st.devices == 1 ? "" : "s");
		if (st.waiting)
			strbuf_addf(&out, "; %llu segment%s not complete yet",
					(unsigned long long)st.waiting,
					st.waiting == 1 ? "" : "s");
		strbuf_addch(&out, '\n');
	}
	flush_out(&out);
	strbuf_release(&out);
	return report(ret, &err);
}

/* The i-th folder of the remotes setting, or NULL past the last. */
static const char *remote_folder(const struct tally_ctx *ctx, size_t i,
		struct strbuf *key)
{
	strbuf_reset(key);
	strbuf_addf(key, "remotes.%zu", i);
	return config_get(&ctx->cfg, key->buf);
}

/* Auto pulls: at most one a minute, by the clock, not TALLY_NOW. */
#define AUTO_PULL_EVERY_S 60

void remotes_pull_due(const struct tally_ctx *ctx)
{
	struct strbuf key = STRBUF_INIT, stamp = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	const char *folder;
	struct stat st;
	int fd;

	if (!remote_folder(ctx, 0, &key))
		goto out;
	path_join(&stamp, ctx->scope.root, "remotes-pulled");
	if (!stat(stamp.buf, &st) &&
	    time(NULL) - st.st_mtime < AUTO_PULL_EVERY_S &&
	    time(NULL) >= st.st_mtime)
		goto out;
	if (mkdir_p(ctx->scope.root))
		goto out;
	fd = open_private(stamp.buf, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
	utimes(stamp.buf, NULL);
	for (size_t i = 0; (folder = remote_folder(ctx, i, &key)); i++) {
		struct publish_opts o;
		struct pull_stats pst;

		publish_opts_of(ctx, folder, &o);
		strbuf_reset(&err);
		if (pull_run(&o, &pst, &err))
			warning("remotes: %s", err.buf);
	}
out:
	strbuf_release(&key);
	strbuf_release(&stamp);
	strbuf_release(&err);
}

void remotes_publish_after_write(const struct tally_ctx *ctx)
{
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;
	const char *folder;

	if (!config_get_bool(&ctx->cfg, "sync_remotes", 0))
		goto out;
	for (size_t i = 0; (folder = remote_folder(ctx, i, &key)); i++) {
		struct publish_opts o;
		struct publish_stats st;

		publish_opts_of(ctx, folder, &o);
		strbuf_reset(&err);
		if (publish_run(&o, &st, &err))
			warning("sync_remotes: %s", err.buf);
	}
out:
	strbuf_release(&key);
	strbuf_release(&err);
}
