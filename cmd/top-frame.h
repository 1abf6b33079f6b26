#ifndef TALLY_CMD_TOP_FRAME_H
#define TALLY_CMD_TOP_FRAME_H

#include "top-model.h"

/*
 * What tally top draws, as lines of text (the same for the screen and
 * for --once) and as a JSON snapshot (--json).
 */

#define TOP_LATEST 10

struct top_view {
	int64_t interval_ms;
	int paused;
	int all_budgets;        /* b: every budget, not the nearest three */
	int help;               /* h: the keys */
	int colour;
	int keys_hint;          /* on the screen: say where the keys are */
};

/* The frame as lines, each ending in '\n'. */
void top_frame_text(struct strbuf *out, const struct top_model *m,
		const struct top_view *v);

/* One JSON object on one line. */
void top_frame_json(struct strbuf *out, const struct top_model *m);

#endif
