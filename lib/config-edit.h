#ifndef TALLY_CONFIG_EDIT_H
#define TALLY_CONFIG_EDIT_H

#include "strbuf.h"

/*
 * Edits YAML configuration text line by line, so that everything else in
 * it (comments, blank lines, order, quoting) stays as the user wrote it:
 * libyaml keeps no comments, so the file is never re-emitted.
 *
 * key is dotted (providers.openai.base_url) and names block mappings
 * only: a list (budgets.0.name) or a flow-style value ({a: 1}) on the
 * way is refused, for the user to edit by hand. value is written as a
 * plain scalar when YAML reads it back unchanged, else double-quoted.
 * Return 0, or T_EUSAGE with the reason in err.
 */
int config_edit_set(struct strbuf *text, const char *key, const char *value,
		struct strbuf *err);

/*
 * Removes key's line, and the lines of mappings it leaves empty; *found
 * says whether it was there.
 */
int config_edit_unset(struct strbuf *text, const char *key, int *found,
		struct strbuf *err);

#endif
