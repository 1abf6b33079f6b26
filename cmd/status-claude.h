#ifndef TALLY_CMD_STATUS_CLAUDE_H
#define TALLY_CMD_STATUS_CLAUDE_H

#include <stdint.h>

#include "tally.h"

#include "../lib/plan.h"

/*
 * status --claude-code: what Claude Code sends a statusline command on
 * stdin, read as hostile input, and what tally does with it: imports the
 * session's transcript (incrementally, as tally import does) and keeps
 * the plan's usage windows (rate_limits.five_hour and seven_day, sent to
 * Pro and Max subscribers from Claude Code 2.1.80 on) as quota snapshots.
 */

#define CLAUDE_INPUT_MAX (1024 * 1024)
/* The plan's windows, in the order of lib/plan.h's plan_windows[]. */
#define CLAUDE_WINDOWS PLAN_WINDOWS

struct claude_input {
	struct json_object *root;
	const char *session_id;      /* NULL when absent or unusable */
	const char *transcript;
	const char *model;           /* model.display_name, else model.id */
	struct plan_sample plan[CLAUDE_WINDOWS];
};

/* Reads and checks the JSON object on fd. 0 or T_EFAIL. */
int claude_input_read(struct claude_input *in, int fd, struct strbuf *err);
void claude_input_release(struct claude_input *in);

/*
 * Imports the transcript into the scope's ledger; a busy import is left
 * to the next call. 0, or T_ELEDGER.
 */
int claude_import(const struct claude_input *in, const struct tally_ctx *ctx,
		struct strbuf *err);

/*
 * Appends a quota row per plan window when the last snapshot of that
 * window (in s) is a minute old or more, and differs or is a quarter of
 * an hour old: the history of the limits without a row per refresh.
 */
struct summary;
int claude_note_plan(const struct claude_input *in,
		const struct summary *s, const struct tally_ctx *ctx,
		int64_t now, struct strbuf *err);

#endif
