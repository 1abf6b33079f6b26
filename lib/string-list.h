#ifndef TALLY_STRING_LIST_H
#define TALLY_STRING_LIST_H

#include <stddef.h>

/*
 * A growable list of borrowed strings: the values of a repeatable
 * option, the directories an importer searches, the cursors a report
 * has already sent. The list owns its array, never the strings.
 */
struct string_list {
	const char **items;
	size_t nr, alloc;
};
#define STRING_LIST_INIT { NULL, 0, 0 }

void string_list_append(struct string_list *l, const char *s);

/* Levenshtein distance: the edits from a to b (for "did you mean"). */
size_t edit_distance(const char *a, const char *b);
void string_list_release(struct string_list *l);

#endif
