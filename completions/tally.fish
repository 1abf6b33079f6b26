# fish completion for tally
#
# Commands come from `tally --list-cmds` and options from
# `tally <command> --completion-helper`, the command's own option table.

function __tally_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case -C -c --config --workspace --color
                set -e tokens[1]
            case '-*'
            case '*'
                echo $tokens[1]
                return 0
        end
        set -e tokens[1]
    end
    return 1
end

# Options with their help after a tab, which fish shows beside them.
function __tally_options
    set -l cmd (__tally_command)
    for opt in (tally $cmd --completion-helper-described 2>/dev/null)
        string match -q -- '-*' $opt; and echo $opt
    end
    echo --help
end

# The option whose value is being typed ("--by day" or "--by=day").
function __tally_value_option
    set -l tok (commandline -ct)
    if string match -q -- '--*=*' $tok
        string replace -r '=.*' '' -- $tok
        return 0
    end
    set -l prev (commandline -opc)[-1]
    string match -q -- '-*' $prev; or return 1
    echo $prev
end

function __tally_values
    set -l opt (__tally_value_option); or return 1
    set -l cmd (__tally_command)
    set -l tok (commandline -ct)
    set -l lead ''
    string match -q -- '--*=*' $tok; and set lead "$opt="
    for v in (tally $cmd --completion-values $opt 2>/dev/null)
        echo $lead$v
    end
end

# The command's arguments (budget names...), when it has such.
function __tally_args
    set -l cmd (__tally_command); or return 1
    set -l args (tally $cmd --completion-values @args 2>/dev/null)
    test "$args" = :command; and return 1
    string join \n -- $args
end

# A command that runs another (exec): its own options until the command
# word, then that command's own completion, as for sudo or env.
function __tally_runs_command
    set -l cmd (__tally_command); or return 1
    set -l args (tally $cmd --completion-values @args 2>/dev/null)
    test "$args" = :command
end

# The words of the command being run, or nothing while its name is typed.
function __tally_command_words
    set -l cmd (__tally_command)
    set -l helper (tally $cmd --completion-helper 2>/dev/null)
    set -l tokens (commandline -opc)
    while set -q tokens[1]; and test "$tokens[1]" != $cmd
        set -e tokens[1]
    end
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --
                set -e tokens[1]
                break
            case '-*'
                contains -- "$tokens[1]=" $helper; and set -e tokens[1]
                set -e tokens[1]
            case '*'
                break
        end
    end
    string join \n -- $tokens
end

function __tally_in_command_line
    __tally_runs_command; or return 1
    set -l words (__tally_command_words)
    test (count $words) -gt 0
end

function __tally_complete_command_line
    set -l words (__tally_command_words)
    complete -C (string join ' ' -- (string escape -- $words) (commandline -ct))
end

function __tally_has_args
    set -l args (__tally_args)
    test (count $args) -gt 0
end

function __tally_wants_value
    set -l values (__tally_values)
    test (count $values) -gt 0
end

# Subcommand words of the command (helper lines without a leading '-').
function __tally_subcommands
    set -l cmd (__tally_command)
    for w in (tally $cmd --completion-helper 2>/dev/null)
        string match -q -- '-*' $w; or echo $w
    end
end

function __tally_needs_subcommand
    set -l subs (__tally_subcommands)
    test (count $subs) -gt 0; or return 1
    for w in (commandline -opc)
        contains -- $w $subs; and return 1
    end
    return 0
end

complete -c tally -f
complete -c tally -n '__tally_wants_value' -a '(__tally_values)'
complete -c tally -n 'not __tally_wants_value; and not __tally_command' -a '(tally --list-cmds 2>/dev/null)'
complete -c tally -n '__fish_seen_subcommand_from help' -a '(tally --list-cmds 2>/dev/null) ledger'
complete -c tally -n 'not __tally_in_command_line; and not __tally_wants_value; and string match -q -- "-*" (commandline -ct)' -a '(__tally_options)'
complete -c tally -n '__tally_runs_command; and not string match -q -- "-*" (commandline -ct); or __tally_in_command_line' -a '(__tally_complete_command_line)'
complete -c tally -n 'not __tally_wants_value; and __tally_command; and __tally_needs_subcommand; and not string match -q -- "-*" (commandline -ct)' -a '(__tally_subcommands)'
complete -c tally -n 'not __tally_wants_value; and __tally_command; and not string match -q -- "-*" (commandline -ct)' -a '(__tally_args)'
complete -c tally -n 'not __tally_wants_value; and __tally_command; and not __tally_needs_subcommand; and not __tally_has_args; and not __tally_runs_command; and not string match -q -- "-*" (commandline -ct)' -F
