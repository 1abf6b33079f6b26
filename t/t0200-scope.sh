#!/bin/sh
test_description='data root, workspaces, scopes and permissions'
. ./test-lib.sh

ws_id() {
	printf "%s" "$(cd "$1" && pwd -P)" | sha256sum | cut -c1-16
}

test_expect_success 'outside any workspace the profile scope is used' '
	tally record -p openai -m m --input-tokens 1 -q &&
	test -s "$TALLY_HOME/profile/usage-ledger.jsonl" &&
	! test -e "$TALLY_HOME/workspaces"
'

test_expect_success 'a .git directory makes a workspace, found from below' '
	mkdir -p repo/.git repo/sub/dir &&
	(cd repo/sub/dir && tally record -p openai -m m --input-tokens 1 -q) &&
	id=$(ws_id repo) &&
	test -s "$TALLY_HOME/workspaces/$id/usage-ledger.jsonl"
'

test_expect_success 'workspace.json names the workspace path' '
	id=$(ws_id repo) &&
	json_get "$TALLY_HOME/workspaces/$id/workspace.json" "d[\"path\"]" >out &&
	(cd repo && pwd -P) >expect &&
	test_cmp expect out &&
	json_get "$TALLY_HOME/workspaces/$id/workspace.json" "d[\"id\"]" >out &&
	echo "$id" >expect &&
	test_cmp expect out
'

test_expect_success 'a .tally.yaml file makes a workspace too' '
	mkdir -p proj &&
	: >proj/.tally.yaml &&
	(cd proj && tally record -p openai -m m --input-tokens 1 -q) &&
	test -s "$TALLY_HOME/workspaces/$(ws_id proj)/usage-ledger.jsonl"
'

test_expect_success 'a .git file (worktree) counts as well' '
	mkdir -p wt &&
	echo "gitdir: /elsewhere" >wt/.git &&
	(cd wt && tally record -p openai -m m --input-tokens 1 -q) &&
	test -s "$TALLY_HOME/workspaces/$(ws_id wt)/usage-ledger.jsonl"
'

test_expect_success '--workspace and TALLY_WORKSPACE name one explicitly' '
	mkdir -p plain &&
	tally --workspace plain record -p openai -m m --input-tokens 1 -q &&
	test -s "$TALLY_HOME/workspaces/$(ws_id plain)/usage-ledger.jsonl" &&
	mkdir -p plain2 &&
	TALLY_WORKSPACE=$PWD/plain2 tally record -p openai -m m --input-tokens 1 -q &&
	test -s "$TALLY_HOME/workspaces/$(ws_id plain2)/usage-ledger.jsonl"
'

test_expect_success 'a symlinked path has the id of its real path' '
	ln -s plain link &&
	tally --workspace link record -p openai -m m --input-tokens 2 -q &&
	test_line_count = 2 "$TALLY_HOME/workspaces/$(ws_id plain)/usage-ledger.jsonl"
'

test_expect_success '--workspace to a missing directory is a usage error' '
	test_expect_code 2 tally --workspace missing log 2>err &&
	test_grep "workspace: cannot use .missing." err
'

test_expect_success '--profile and persist_scope: profile use the profile' '
	before=$(wc -l <"$TALLY_HOME/profile/usage-ledger.jsonl") &&
	(cd repo && tally --profile record -p openai -m m --input-tokens 1 -q) &&
	(cd repo && tally -c persist_scope=profile record -p openai -m m --input-tokens 1 -q) &&
	after=$(wc -l <"$TALLY_HOME/profile/usage-ledger.jsonl") &&
	test $after = $((before + 2))
'

test_expect_success 'the data root follows XDG_DATA_HOME, then HOME' '
	(unset TALLY_HOME && XDG_DATA_HOME=$PWD/xdg tally record -p openai -m m --input-tokens 1 -q) &&
	test -s xdg/tally/profile/usage-ledger.jsonl &&
	(unset TALLY_HOME && tally record -p openai -m m --input-tokens 1 -q) &&
	test -s .local/share/tally/profile/usage-ledger.jsonl
'

test_expect_success 'without TALLY_HOME or HOME there is no data root' '
	(unset TALLY_HOME HOME && test_expect_code 3 tally log) 2>err &&
	test_grep "neither TALLY_HOME nor HOME is set" err
'

test_expect_success 'directories are 0700 and files 0600 whatever the umask' '
	for mask in 000 022 077; do
		(umask $mask && TALLY_HOME=$PWD/m$mask tally record -p openai -m m --input-tokens 1 -q) &&
		test "$(stat -c %a m$mask)" = 700 &&
		test "$(stat -c %a m$mask/profile)" = 700 &&
		test "$(stat -c %a m$mask/profile/usage-ledger.jsonl)" = 600 &&
		test "$(stat -c %a m$mask/profile/usage-ledger.lock)" = 600 || return 1
	done
'

test_expect_success 'workspace search stops at TALLY_CEILING_DIRECTORIES' '
	mkdir -p outer/.git outer/inner &&
	(cd outer/inner &&
	 TALLY_CEILING_DIRECTORIES=$(cd .. && pwd -P) tally record -p openai -m m --input-tokens 9 -q) &&
	tally log --porcelain >out &&
	test_grep "	9	" out
'

test_done
