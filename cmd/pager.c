/*
 * The pager: long human output goes through $TALLY_PAGER, $PAGER or
 * "less" (with LESS=FRX, so that output shorter than a screen is simply
 * printed, colours pass and the screen is not cleared), as git does,
 * but only when standard output is a terminal. Commands ask for it once
 * they know their output is long and for people (not log --follow).
 */
#include "tally.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/table.h"
#include "../lib/banned.h"

int no_pager;

static pid_t pager_pid = -1;

/* Whether cmd (a bare name) can be run from $PATH. */
static int in_path(const char *cmd)
{
	const char *path = getenv("PATH");
	struct strbuf sb = STRBUF_INIT;
	int found = 0;

	while (path && *path && !found) {
		size_t n = strcspn(path, ":");

		strbuf_reset(&sb);
		strbuf_add(&sb, path, n);
		strbuf_addf(&sb, "/%s", cmd);
		found = !access(sb.buf, X_OK);
		path += n + (path[n] == ':');
	}
	strbuf_release(&sb);
	return found;
}

static const char *pager_command(void)
{
	const char *p = getenv("TALLY_PAGER");

	if (!p)
		p = getenv("PAGER");
	if (!p) {
		/* No pager asked for, and no less: print as it is. */
		if (!in_path("less"))
			return NULL;
		p = "less";
	}
	if (!*p || !strcmp(p, "cat"))
		return NULL;
	return p;
}

static void wait_for_pager(void)
{
	if (pager_pid < 0)
		return;
	/*
	 * Every stream still open (stdout may have been closed already, by
	 * the check of its write errors): what is buffered reaches the
	 * pager before it is told the output ends.
	 */
	fflush(NULL);
	/* The pager reads to the end: close our side, then wait. */
	close(STDOUT_FILENO);
	while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager_pid = -1;
}

void setup_pager(void)
{
	const char *pager;
	int fds[2];

	if (no_pager || pager_pid >= 0 || !isatty(STDOUT_FILENO))
		return;
	if (!(pager = pager_command()) || pipe(fds))
		return;
	fflush(stdout);
	pager_pid = fork();
	if (pager_pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (!pager_pid) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("LESS", "FRX", 0);
		setenv("LV", "-c", 0);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	/* Colour is decided for the terminal the pager writes to. */
	colour_stdout_is_terminal(1);
	dup2(fds[1], STDOUT_FILENO);
	close(fds[0]);
	close(fds[1]);
	/* A pager quit early is not a write error worth a message. */
	signal(SIGPIPE, SIG_IGN);
	atexit(wait_for_pager);
}
