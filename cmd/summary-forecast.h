#ifndef TALLY_CMD_SUMMARY_FORECAST_H
#define TALLY_CMD_SUMMARY_FORECAST_H

#include <stdint.h>

#include "../lib/forecast.h"
#include "../lib/jsonw.h"

/* summary's lines and JSON for a forecast (lib/forecast.h). */
void forecast_human(struct strbuf *out, const struct forecast *fc,
		const struct counters *total, enum cost_mode mode);
void forecast_json(struct jsonw *w, const struct forecast *fc,
		const struct counters *total, enum cost_mode mode);

#endif
