#ifndef TALLY_SCOPE_H
#define TALLY_SCOPE_H

#include "strbuf.h"

/*
 * Where data lives (see DESIGN section 3 and tally(1) FILES):
 *
 *   data root   $TALLY_HOME, else ${XDG_DATA_HOME:-$HOME/.local/share}/tally
 *   profile     <root>/profile/
 *   workspace   <root>/workspaces/<id>/, id = first 16 hex digits of the
 *               SHA-256 of the workspace's real path
 *
 * The workspace is --workspace <dir>, else $TALLY_WORKSPACE, else the
 * nearest parent of the current directory holding .git or .tally.yaml
 * (never searching into $TALLY_CEILING_DIRECTORIES), else none.
 */

struct scope {
	int is_workspace;
	char *root;          /* the data root */
	char *dir;           /* this scope's directory */
	char *workspace;     /* the workspace's real path, or NULL */
	char *workspace_id;  /* its id, or NULL */
	char *ledger_path;
	char *lock_path;
	char *summary_path;
};

/* Appends the data root to out. Returns 0 or T_ECONFIG. */
int data_root(struct strbuf *out, struct strbuf *err);

/*
 * Finds the workspace as above; explicit may be NULL. Leaves out empty when
 * there is none. Returns 0, or T_EUSAGE when an explicitly named directory
 * does not exist.
 */
int workspace_find(const char *explicit_dir, struct strbuf *out,
		struct strbuf *err);

/* Writes the 16-hex-digit id of a workspace path and a NUL into out. */
void workspace_id(const char *real_path, char out[17]);

/*
 * Fills sc for the workspace scope of workspace (a real path) or, when
 * workspace is NULL, the profile scope. Does not touch the disk.
 */
void scope_init(struct scope *sc, const char *root, const char *workspace);

/*
 * Fills sc for an existing scope directory (a workspace met while listing
 * <root>/workspaces/, whose path is known only from its workspace.json).
 */
void scope_init_dir(struct scope *sc, const char *root, const char *dir);

/*
 * Sets sc->workspace of a scope filled by scope_init_dir() from its
 * workspace.json. Returns 0, or -1 when that names no absolute path.
 */
int scope_read_workspace(struct scope *sc);

/*
 * Creates the scope's directory (0700) and, for a workspace, its
 * workspace.json. Returns 0 or T_ELEDGER.
 */
int scope_prepare(const struct scope *sc, struct strbuf *err);

void scope_release(struct scope *sc);

/* Several scopes: every workspace and the profile, for --all-workspaces. */
struct scope_list {
	struct scope *v;
	size_t nr, alloc;
};
#define SCOPE_LIST_INIT { NULL, 0, 0 }

/*
 * Fills list with the profile scope of root, then the scope of every
 * workspace directory under <root>/workspaces/ in the order of their ids
 * (directories that are not ids are left out). A missing directory has
 * no workspaces. Returns 0 or T_ELEDGER when it cannot be listed.
 */
int scope_list_all(struct scope_list *list, const char *root,
		struct strbuf *err);

void scope_list_release(struct scope_list *list);

#endif
