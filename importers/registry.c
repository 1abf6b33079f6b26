#include "agent.h"

#include <string.h>

#include "../lib/banned.h"

/* Keep alphabetized. */
const struct agent *const agent_table[] = {
	&agent_amp,
	&agent_claude_code,
	&agent_codex,
	&agent_codingbuddy,
	&agent_copilot_cli,
	&agent_gemini_cli,
	&agent_goose,
	&agent_opencode,
	&agent_qwen_code,
	NULL,
};

const struct agent *agent_by_name(const char *name)
{
	for (const struct agent *const *a = agent_table; *a; a++)
		if (!strcmp((*a)->name, name))
			return *a;
	return NULL;
}
