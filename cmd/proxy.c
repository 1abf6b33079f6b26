/*
 * tally proxy: the recording proxy as a service, for SDKs and agents
 * pointed at it with their base-URL variables.
 */
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/banned.h"

#define DEFAULT_LISTEN "127.0.0.1:8765"

static const char *const proxy_usage[] = {
	"tally proxy [--listen <address>:<port>] [--allow-remote] "
		"[--session <id>] [--idle-timeout <seconds>] [-q]",
	NULL,
};

static void announce(const struct serve *sv)
{
	const char *url = proxy_base_url(sv->px);

	fprintf(stderr, "tally: recording proxy on %s; point clients at it:\n",
			url);
	for (size_t i = 0; i < sv->routes.n; i++) {
		const struct route *r = &sv->routes.v[i];

		fprintf(stderr, "  %s/%-11s -> %s\n", url, r->name,
				r->upstream);
	}
	fprintf(stderr, "  e.g. OPENAI_BASE_URL=%s/openai "
			"ANTHROPIC_BASE_URL=%s/anthropic\n", url, url);
	/* The address on stdout, for scripts that start it on port 0. */
	printf("%s\n", url);
	fflush(stdout);
}

/* Waits for SIGINT, SIGTERM or SIGHUP (blocked in every thread). */
static int wait_for_stop(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig))
		;
	return sig;
}

int cmd_proxy(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct serve sv;
	const char *listen = DEFAULT_LISTEN;
	int64_t idle = IDLE_TIMEOUT_S;
	int allow_remote = 0, quiet = 0;
	struct option opts[] = {
		OPT_STRING(0, "listen", &listen, "address>:<port",
				"where to listen (default " DEFAULT_LISTEN
				"; port 0 picks one)"),
		OPT_BOOL(0, "allow-remote", &allow_remote,
				"listen beyond loopback; clients must send "
				"$TALLY_PROXY_TOKEN"),
		OPT_STRING('s', "session", &sv.o.session, "id",
				"the session of every entry (default: "
				"automatic)"),
		OPT_INT64(0, "idle-timeout", &idle, "seconds",
				"fail an upstream silent this long "
				"(default " STR(IDLE_TIMEOUT_S) ")"),
		OPT_BOOL('q', "quiet", &quiet,
				"no line on stderr per request"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT;
	sigset_t set;
	int ret, sig;

	serve_init(&sv, ctx);
	parse_options_or_exit(argc, argv, opts, proxy_usage,
			PARSE_OPT_NO_ARGS);
	if (idle < 1 || idle > 86400)
		usage_error(proxy_usage, opts, "--idle-timeout: %lld is not "
				"between 1 and 86400 seconds", (long long)idle);
	sv.o.listen = listen;
	sv.o.allow_remote = allow_remote;
	sv.o.token = getenv("TALLY_PROXY_TOKEN");
	sv.o.idle_timeout_ms = idle * 1000;
	if (!sv.o.session && getenv("TALLY_SESSION") &&
	    *getenv("TALLY_SESSION"))
		sv.o.session = getenv("TALLY_SESSION");
	if (!ctx->cfg.enabled)
		warning("recording is disabled (enabled: false): requests "
				"pass through, nothing is recorded");
	/* Signals go to the main thread's sigwait, not to a worker. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = serve_routes(&sv, &err);
	if (!ret)
		ret = serve_start(&sv, !quiet, &err);
	if (ret == T_EUSAGE) /* a --listen that is not allowed */
		usage_error(proxy_usage, opts, "%s", err.buf);
	if (ret) {
		routes_release(&sv.routes);
		return report(ret, &err);
	}
	announce(&sv);
	sig = wait_for_stop(&set);
	fprintf(stderr, "tally: %s: finishing the requests in flight\n",
			strsignal(sig));
	serve_stop(&sv, 30 * 1000, NULL);
	strbuf_release(&err);
	return 0;
}
