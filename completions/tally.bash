# bash completion for tally
#
# Commands come from `tally --list-cmds` and each command's options from
# `tally <command> --completion-helper`, which prints the option table the
# command parses with; the values an option takes from `tally <command>
# --completion-values <option>` (formats, windows, providers, statuses,
# time zones, and the models and tag keys of the ledger). Nothing here
# needs updating when options change.

__tally_cmds=
declare -A __tally_opts 2>/dev/null || true

__tally_list_cmds() {
	[ -n "$__tally_cmds" ] ||
		__tally_cmds=$(command tally --list-cmds 2>/dev/null | tr '\n' ' ')
	printf '%s' "$__tally_cmds"
}

# Options of a command; the global options when cmd is empty.
__tally_list_opts() {
	local cmd=$1 key=${1:-.}
	if [ -z "${__tally_opts[$key]+set}" ]; then
		__tally_opts[$key]=$(command tally ${cmd:+"$cmd"} \
			--completion-helper 2>/dev/null | tr '\n' ' ')
	fi
	printf '%s' "${__tally_opts[$key]}"
}

# The helper prints options (starting with '-') and subcommand words.
__tally_options_of() {
	local w
	for w in $(__tally_list_opts "$1"); do
		[[ $w == -* ]] && printf '%s ' "$w"
	done
}

__tally_subcommands_of() {
	local w
	for w in $(__tally_list_opts "$1"); do
		[[ $w != -* ]] && printf '%s ' "$w"
	done
}

# Whether the command has subcommands and none is typed yet after the
# command word at index $2.
__tally_needs_subcommand() {
	local subs w j
	subs=" $(__tally_subcommands_of "$1")"
	[ "$subs" = " " ] && return 1
	for ((j = $2 + 1; j < COMP_CWORD; j++)); do
		w=${COMP_WORDS[j]}
		[[ $subs == *" $w "* ]] && return 1
	done
	return 0
}

# The values of option $2 of command $1 (global when $1 is empty).
__tally_values() {
	command tally ${1:+"$1"} --completion-values "$2" 2>/dev/null
}

# A command that runs another (exec): its own options until the command
# word, then that command's completion, as for sudo or env.
__tally_command_line() {
	local cmd=$1 j=$(($2 + 1)) cur=${COMP_WORDS[COMP_CWORD]} w
	local opts=" $(__tally_options_of "$cmd")"
	while ((j < COMP_CWORD)); do
		w=${COMP_WORDS[j]}
		case $w in
		--) ((j++)); break ;;
		-*) ((j++))
			# An option that takes a value takes the next word too.
			[[ $opts == *" $w= "* ]] && ((j++)) ;;
		*) break ;;
		esac
	done
	if ((j < COMP_CWORD)) && declare -F _command_offset >/dev/null; then
		_command_offset "$j"
	elif ((j < COMP_CWORD)); then
		COMPREPLY=($(compgen -f -- "$cur"))
	elif [[ $cur == -* ]] && [ "${COMP_WORDS[j-1]}" != -- ]; then
		COMPREPLY=($(compgen -W "$(__tally_options_of "$cmd") --help" -- "$cur"))
	else
		COMPREPLY=($(compgen -c -- "$cur"))
	fi
}

_tally() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd= i opt= values

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C|-c|--config|--workspace|--color) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	# After an option that takes a value ("--by day", "--by=day"):
	# its values, if tally knows them.
	opt=${COMP_WORDS[COMP_CWORD-1]}
	[ "$opt" = = ] && opt=${COMP_WORDS[COMP_CWORD-2]}
	[ "$cur" = = ] && { opt=${COMP_WORDS[COMP_CWORD-1]}; cur=; }
	if [[ $opt == -* ]] && values=$(__tally_values "$cmd" "$opt") &&
	   [ -n "$values" ]; then
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$values" -- "$cur"))
		return
	fi

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(__tally_list_opts '') --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(__tally_list_cmds)" -- "$cur"))
		fi
	elif [ "$(__tally_values "$cmd" @args)" = :command ]; then
		__tally_command_line "$cmd" "$i"
		return
	elif [ "$cmd" = help ]; then
		COMPREPLY=($(compgen -W "$(__tally_list_cmds) ledger" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(__tally_options_of "$cmd") --help" -- "$cur"))
	elif __tally_needs_subcommand "$cmd" "$i"; then
		COMPREPLY=($(compgen -W "$(__tally_subcommands_of "$cmd") $(__tally_values "$cmd" @args)" -- "$cur"))
	elif values=$(__tally_values "$cmd" @args) && [ -n "$values" ]; then
		# The command's arguments (budget names...), not files.
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$values" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	# An option that takes a value ends in '=': let the value follow.
	if [ "${#COMPREPLY[@]}" = 1 ] && [[ ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
}

complete -F _tally tally
