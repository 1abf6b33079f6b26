/*
 * tally help [<command>]: the manual page, or the usage when man is not
 * available.
 */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "version.h"
#include "../lib/fsutil.h"
#include "../lib/banned.h"

static const char *const help_usage[] = { "tally help [<command>]", NULL };

/* Runs argv quietly and returns its exit status (127 when it cannot run). */
static int run_quiet(const char *const *argv)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 127;
	if (!pid) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 127;
	return WEXITSTATUS(status);
}

static int have_man(void)
{
	return run_quiet((const char *[]){ "man", "-w", NULL }) != 127;
}

/*
 * Shows page(section) with man: the installed page, else the page in the
 * build tree for a tally run uninstalled. Returns only when neither works.
 */
static void show_man(const char *page, const char *section)
{
	struct strbuf file = STRBUF_INIT;

	fflush(stdout);
	if (!run_quiet((const char *[]){ "man", "-w", section, page, NULL }))
		execlp("man", "man", section, page, (char *)NULL);
	path_join(&file, TALLY_BUILD_DOC_DIR, page);
	strbuf_addf(&file, ".%s", section);
	if (!access(file.buf, R_OK) && have_man())
		execlp("man", "man", "-l", file.buf, (char *)NULL);
	strbuf_release(&file);
}

int cmd_help(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct option opts[] = { OPT_END() };
	struct strbuf page = STRBUF_INIT;
	const char *name;

	(void)ctx;
	argc = parse_options_or_exit(argc, argv, opts, help_usage, 0);
	if (argc > 2)
		usage_error(help_usage, opts, "too many arguments");
	if (argc < 2) {
		print_overview(stdout);
		return 0;
	}
	name = argv[1];
	if (!strcmp(name, "ledger")) {
		show_man("tally-ledger", "5");
		die(EXIT_FAIL, "no manual page for tally-ledger(5) is installed");
	}
	if (!strcmp(name, "tally")) {
		show_man("tally", "1");
		return print_command_usage("help");
	}
	if (!find_command(name))
		die(EXIT_USAGE, "no help for '%s': not a tally command", name);
	strbuf_addf(&page, "tally-%s", name);
	show_man(page.buf, "1");
	strbuf_release(&page);
	/* No man: the usage is the next best thing. */
	return print_command_usage(name);
}
