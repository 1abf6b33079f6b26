#include "keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/error.h"
#include "../lib/banned.h"

/* Runs command, keeping the first line of its output. */
static int run_command(const char *command, struct strbuf *out)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	strbuf_read_fd(out, fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	out->len = strcspn(out->buf, "\r\n");
	strbuf_setlen(out, out->len);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int provider_key(const char *env_name, const char *command,
		struct strbuf *key, struct strbuf *err)
{
	const char *env = env_name ? getenv(env_name) : NULL;
	int status;

	strbuf_reset(key);
	if (env && *env) {
		strbuf_addstr(key, env);
		return 0;
	}
	if (!command || !*command)
		return 1;
	fflush(stdout);
	status = run_command(command, key);
	if (status || !key->len) {
		strbuf_reset(key);
		return fail(err, T_EAUTH, "api_key_command failed (%s)",
				status ? "it exited with an error" :
				"it printed nothing");
	}
	return 0;
}
