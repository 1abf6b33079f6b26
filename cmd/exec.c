/*
 * tally exec: runs a command with the SDKs' and agents' base-URL
 * variables pointing at a recording proxy that lives as long as it.
 */
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/timeutil.h"
#include "../providers/http.h"
#include "../lib/banned.h"

extern char **environ;

static const char *const exec_usage[] = {
	"tally exec [--session <id>] [-v] [--] <command> [<args>...]",
	NULL,
};

/*
 * The variables clients read their base URL from, and the route each
 * one goes through: the official OpenAI and Anthropic SDKs, Codex and
 * Claude Code; Google's Gen AI SDKs and the Gemini CLI.
 */
static const struct {
	const char *var, *route;
} base_vars[] = {
	{ "OPENAI_BASE_URL", "openai" },
	{ "ANTHROPIC_BASE_URL", "anthropic" },
	{ "GOOGLE_GEMINI_BASE_URL", "gemini" },
};
#define NVARS (sizeof(base_vars) / sizeof(base_vars[0]))

/*
 * A variable already set is the upstream of its route (OPENAI_BASE_URL
 * at OpenRouter or Azure), the provider known from its host. One tally
 * will not forward to (plain http beyond loopback) is left alone.
 */
static void routes_from_env(struct serve *sv, int *proxied)
{
	struct strbuf err = STRBUF_INIT, shown = STRBUF_INIT;

	for (size_t i = 0; i < NVARS; i++) {
		const char *v = getenv(base_vars[i].var);

		proxied[i] = 1;
		if (!v || !*v)
			continue;
		strbuf_reset(&err);
		if (!routes_add(&sv->routes, base_vars[i].route, v,
				provider_from_base_url(v), &err))
			continue;
		proxied[i] = 0;
		strbuf_reset(&shown);
		http_url_redacted(v, &shown);
		warning("%s (%s) left as it is, not recorded: %s",
				base_vars[i].var, shown.buf, err.buf);
	}
	strbuf_release(&err);
	strbuf_release(&shown);
}

/* environ with the base URLs and TALLY_SESSION replaced. */
static char **child_env(const struct serve *sv, const int *proxied,
		const char *session)
{
	size_t n = 0, k = 0;
	char **env;
	struct strbuf sb = STRBUF_INIT;

	while (environ[n])
		n++;
	env = xcalloc(n + NVARS + 2, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		int replaced = !strncmp(environ[i], "TALLY_SESSION=", 14);

		for (size_t j = 0; j < NVARS && !replaced; j++) {
			size_t len = strlen(base_vars[j].var);

			replaced = proxied[j] &&
				!strncmp(environ[i], base_vars[j].var, len) &&
				environ[i][len] == '=';
		}
		if (!replaced)
			env[k++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < NVARS; j++) {
		if (!proxied[j])
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s=%s/%s", base_vars[j].var,
				proxy_base_url(sv->px), base_vars[j].route);
		env[k++] = xstrdup(sb.buf);
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "TALLY_SESSION=%s", session);
	env[k++] = xstrdup(sb.buf);
	strbuf_release(&sb);
	return env;
}

static void free_env(char **env)
{
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}

/* exec:<command>:<UTC start>:<pid>, unless one was given. */
static void session_name(struct strbuf *out, const char *given,
		const char *command)
{
	const char *env = getenv("TALLY_SESSION");
	const char *base = strrchr(command, '/');

	if (given)
		strbuf_addstr(out, given);
	else if (env && *env)
		strbuf_addstr(out, env);
	else {
		strbuf_addf(out, "exec:%.40s:", base ? base + 1 : command);
		time_format_utc(out, now_ms() / 1000 * 1000);
		strbuf_addf(out, ":%ld", (long)getpid());
	}
}

/*
 * Runs the command and waits for it, the signals in set blocked here:
 * SIGTERM and SIGHUP are passed on to it; SIGINT and SIGQUIT from the
 * terminal reach it by themselves and are ignored here, as system()
 * does. Returns the wait status, or -1 with errno when it did not start.
 */
static int run_child(const char **argv, char **env, const sigset_t *set,
		const sigset_t *old)
{
	posix_spawnattr_t attr;
	sigset_t dfl;
	pid_t pid;
	int status = 0, sig, rc;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, old);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
			POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, argv[0], NULL, &attr, (char *const *)argv,
			env);
	posix_spawnattr_destroy(&attr);
	if (rc) {
		errno = rc;
		return -1;
	}
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (sigwait(set, &sig))
			continue;
		if (sig == SIGTERM || sig == SIGHUP)
			kill(pid, sig);
	}
}

/* The command's status as tally's: its exit code, or its signal again. */
static int exit_like(int status)
{
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

int cmd_exec(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct serve sv;
	int verbose = 0;
	struct option opts[] = {
		OPT_STRING('s', "session", &sv.o.session, "id",
				"the session of every entry (default: "
				"exec:<command>:<time>:<pid>)"),
		OPT_BOOL('v', "verbose", &verbose,
				"a line on stderr per request"),
		OPT_ARGUMENT_VALUES("@command"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, session = STRBUF_INIT;
	struct recorder_counts counts;
	int proxied[NVARS], ret, status;
	sigset_t set, old;
	char **env;

	serve_init(&sv, ctx);
	argc = parse_options_or_exit(argc, argv, opts, exec_usage,
			PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 2)
		usage_error(exec_usage, opts, "no command to run");
	argv++; /* the command and its arguments */
	session_name(&session, sv.o.session, argv[0]);
	sv.o.session = session.buf;
	if (!ctx->cfg.enabled)
		warning("recording is disabled (enabled: false): the "
				"command's requests are not recorded");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	ret = serve_routes(&sv, &err);
	if (!ret) {
		routes_from_env(&sv, proxied);
		ret = serve_start(&sv, verbose, &err);
	}
	if (ret) {
		routes_release(&sv.routes);
		strbuf_release(&session);
		return report(ret, &err);
	}
	env = child_env(&sv, proxied, session.buf);
	status = run_child(argv, env, &set, &old);
	if (status < 0) {
		int e = errno;

		serve_stop(&sv, 0, NULL);
		free_env(env);
		error("cannot run '%s': %s", argv[0], strerror(e));
		strbuf_release(&session);
		return e == ENOENT ? 127 : 126;
	}
	serve_stop(&sv, 5000, &counts);
	if (verbose || isatty(STDERR_FILENO))
		fprintf(stderr, "tally: %llu request%s recorded in session "
				"%s\n", (unsigned long long)counts.recorded,
				counts.recorded == 1 ? "" : "s", session.buf);
	free_env(env);
	strbuf_release(&session);
	strbuf_release(&err);
	return exit_like(status);
}
