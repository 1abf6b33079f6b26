#ifndef TALLY_GEMINI_COUNTS_H
#define TALLY_GEMINI_COUNTS_H

#include <stdint.h>

#include "entry.h"

/*
 * Gemini's usage counts (usageMetadata of generateContent, and the
 * tokens Gemini CLI keeps of each answer) in tally's token convention:
 * input is the prompt, which holds the cached tokens, plus the tool-use
 * prompt; output is the candidates plus the thoughts, which Gemini
 * counts apart. One mapping for the provider's responses and the
 * agent's logs.
 */
struct gemini_counts {
	int64_t prompt;      /* promptTokenCount, cached tokens inside */
	int64_t candidates;  /* candidatesTokenCount */
	int64_t thoughts;    /* thoughtsTokenCount */
	int64_t tool;        /* toolUsePromptTokenCount */
	int64_t cached;      /* cachedContentTokenCount */
};

/* Sets the entry's billed input and output, cache, reasoning and tool. */
void gemini_counts_to_entry(const struct gemini_counts *c, struct entry *e);

#endif
