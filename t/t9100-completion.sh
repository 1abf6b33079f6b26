#!/bin/sh
test_description='bash, zsh and fish completions come from the option tables'
. ./test-lib.sh

COMP=$TALLY_SOURCE_DIR/completions

test_expect_success 'every command has a completion helper' '
	for cmd in $(tally --list-cmds); do
		tally $cmd --completion-helper >opts || return 1
	done &&
	tally record --completion-helper >opts &&
	test_grep -x -- "--provider=" opts &&
	test_grep -x -- "--tee" opts
'

# bash: drive the completion function as readline would.
bash_complete() {
	bash -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_tally
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$COMP/tally.bash" "$@"
}

test_expect_success 'bash: tally rec<TAB> completes record' '
	bash_complete tally rec >out &&
	echo record >expect &&
	test_cmp expect out
'

test_expect_success 'bash: options of the command, from its table' '
	bash_complete tally record --prov >out &&
	printf -- "--provider=\n--provider-request-id=\n" >expect &&
	test_cmp expect out &&
	bash_complete tally record --mo >out &&
	echo --model= >expect &&
	test_cmp expect out &&
	bash_complete tally -C dir log --fol >out &&
	echo --follow >expect &&
	test_cmp expect out &&
	bash_complete tally help le >out &&
	echo ledger >expect &&
	test_cmp expect out &&
	bash_complete tally --ver >out &&
	echo --version >expect &&
	test_cmp expect out
'

# zsh: the completion function with compadd printing what it is given,
# for the words typed so far (the last one is the prefix).
zsh_complete() {
	zsh -f -c '
		compadd() {
			while [[ $1 == -* ]]; do
				case $1 in
				-a) shift; print -l -- ${(P)1}; return ;;
				--) shift; print -l -- "$@"; return ;;
				*) shift ;;
				esac
			done
		}
		compset() { :; }
		_files() { print FILES; }
		_command_names() { print COMMANDS; }
		_normal() { print -- "NORMAL $CURRENT ${words[*]}"; }
		_call_program() { shift; "$@"; }
		comp=$1
		shift
		words=("$@") CURRENT=$# PREFIX=${@[-1]}
		source $comp
	' zsh "$COMP/_tally" "$@"
}

test_expect_success 'zsh: the completion loads and completes tally rec<TAB>' '
	test_need zsh &&
	zsh -f -c "
		compadd() {
			local -a words
			while [[ \$1 == -* ]]; do
				case \$1 in
				-a) shift; words=(\${(P)1}); shift; break ;;
				-S) shift 2 ;;
				--) shift; words=(\"\$@\"); break ;;
				*) shift ;;
				esac
			done
			print -l -- \${words[@]}
		}
		_files() { :; }
		_call_program() { shift; \"\$@\"; }
		words=(tally rec) CURRENT=2 PREFIX=rec
		source $COMP/_tally
	" >out &&
	test_grep -x record out &&
	zsh_complete tally log --fo >out &&
	test_grep -x -- --follow out
'

test_expect_success 'fish: complete -C completes tally rec and options' '
	test_need fish &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally rec\"" >out &&
	test_grep "^record" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally log --fol\"" >out &&
	test_grep "^--follow" out
'

test_expect_success 'subcommand words come from the usage lines' '
	tally import --completion-helper >h &&
	printf "amp\nclaude-code\ncodex\ncodingbuddy\ncopilot-cli\ngemini-cli\ngoose\nopencode\nqwen-code\n" >expect &&
	grep -v "^-" h >actual &&
	test_cmp expect actual &&
	tally pricing --completion-helper | grep -v "^-" >actual &&
	printf "show\nupdate\ncheck\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'bash: subcommands, then files' '
	bash_complete tally import c >out &&
	printf "claude-code\ncodex\ncodingbuddy\ncopilot-cli\n" >expect &&
	test_cmp expect out &&
	bash_complete tally pricing --json s >out &&
	echo show >expect &&
	test_cmp expect out &&
	: >usage.jsonl &&
	bash_complete tally import codingbuddy usa >out &&
	echo usage.jsonl >expect &&
	test_cmp expect out &&
	bash_complete tally import --dry >out &&
	echo --dry-run >expect &&
	test_cmp expect out
'

test_expect_success 'zsh: subcommands of import' '
	zsh_complete tally import co >out &&
	test_grep -x codex out &&
	test_grep -x claude-code out &&
	zsh -f -c "
		compadd() { :; }
		_files() { print FILES; }
		_call_program() { shift; \"\$@\"; }
		words=(tally import codex di) CURRENT=4 PREFIX=di
		source $COMP/_tally
	" >out &&
	test_grep -x FILES out
'

test_expect_success 'fish: subcommands of pricing' '
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally pricing u\"" >out &&
	test_grep "^update" out
'

test_expect_success 'setup: a ledger to complete models and tags from' '
	tally record -q -p openai -m gpt-4.1-mini --input-tokens 1 --tag team=a &&
	tally record -q -p anthropic -m claude-sonnet-4 --input-tokens 1 \
		--tag project=x
'

test_expect_success 'values come from the option tables and the ledger' '
	tally summary --completion-values --by >by &&
	test_grep -x day by &&
	test_grep -x tag:team by &&
	test_grep -x tag:project by &&
	tally log --completion-values -m >models &&
	printf "claude-sonnet-4\ngpt-4.1-mini\n" >expect &&
	test_cmp expect models &&
	tally export --completion-values --format >f &&
	printf "csv\njson\nndjson\nprometheus\nhtml\n" >expect &&
	test_cmp expect f &&
	tally --completion-values --color >c &&
	printf "auto\nalways\nnever\n" >expect &&
	test_cmp expect c &&
	tally summary --completion-values --tz >z &&
	test_grep -x Europe/Berlin z &&
	tally log --completion-values --follow >none &&
	test_must_be_empty none
'

test_expect_success 'bash: values after an option, with a space or =' '
	bash_complete tally summary --by mo >out &&
	printf "model\nmonth\n" >expect &&
	test_cmp expect out &&
	bash_complete tally summary --by = we >out &&
	echo week >expect &&
	test_cmp expect out &&
	bash_complete tally log -p openr >out &&
	echo openrouter >expect &&
	test_cmp expect out &&
	bash_complete tally log --status pend >out &&
	printf "pending_sync\npending\n" >expect &&
	test_cmp expect out &&
	bash_complete tally log --model gpt >out &&
	echo gpt-4.1-mini >expect &&
	test_cmp expect out &&
	bash_complete tally --color al >out &&
	echo always >expect &&
	test_cmp expect out &&
	bash_complete tally --color never lo >out &&
	echo log >expect &&
	test_cmp expect out &&
	bash_complete tally summary --window d >out &&
	echo day >expect &&
	test_cmp expect out
'

test_expect_success 'zsh: values after an option' '
	zsh_complete tally summary --format c >out &&
	printf "table\njson\ncsv\nmarkdown\n" >expect &&
	test_cmp expect out
'

test_expect_success 'fish: values, and options with their help' '
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally export --format h\"" >out &&
	test_grep "^html" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally summary --by=mo\"" >out &&
	test_grep "^--by=month" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally log --fol\"" >out &&
	test_grep "^--follow	keep printing entries" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally log -m cla\"" >out &&
	test_grep "^claude-sonnet-4" out
'

test_expect_success 'budget names, after budget and budget check' '
	cat >b.yaml <<-\EOF &&
	budgets:
	  - name: daily
	    period: day
	    tokens: 100
	  - name: month-usd
	    period: month
	    usd: 1
	EOF
	export TALLY_CONFIG=$PWD/b.yaml &&
	bash_complete tally budget check mo >out &&
	echo month-usd >expect &&
	test_cmp expect out &&
	bash_complete tally budget "" >out &&
	printf "check\ndaily\nmonth-usd\n" >expect &&
	test_cmp expect out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally budget check d\"" >out &&
	test_grep "^daily" out &&
	zsh_complete tally budget check d >out &&
	printf "daily\nmonth-usd\n" >expect &&
	test_cmp expect out
'

test_expect_success 'bash: exec completes its options, then a command, then that command' '
	bash_complete tally exec --ses >out &&
	echo --session= >expect &&
	test_cmp expect out &&
	bash_complete tally exec bas >out &&
	test_grep -x bash out &&
	bash_complete tally exec --session s1 bas >out &&
	test_grep -x bash out &&
	: >zzfile &&
	bash_complete tally exec -- sh zz >out &&
	echo zzfile >expect &&
	test_cmp expect out &&
	bash_complete tally exec -- ls --ses >out &&
	test_grep -v -- --session out
'

test_expect_success 'zsh: exec hands the command line to the command' '
	test_need zsh &&
	zsh_complete tally exec --ses >out &&
	test_grep -x -- --session= out &&
	zsh_complete tally exec gi >out &&
	echo COMMANDS >expect &&
	test_cmp expect out &&
	zsh_complete tally exec -v -- git st >out &&
	echo "NORMAL 2 git st" >expect &&
	test_cmp expect out
'

test_expect_success 'fish: exec completes commands and their own options' '
	test_need fish &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally exec --ses\"" >out &&
	test_grep "^--session=" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally exec bas\"" >out &&
	test_grep "^bash" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally exec -- tally rec\"" >out &&
	test_grep "^record" out &&
	fish --no-config -c "source $COMP/tally.fish; complete -C \"tally exec -- tally log --fol\"" >out &&
	test_grep "^--follow" out &&
	test_grep -v "^--session" out
'

test_done
