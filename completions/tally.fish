# fish completion for tally
#
# Commands come from `tally --list-cmds` and options from
# `tally <command> --completion-helper`, the command's own option table.

function __tally_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case -C -c --config --workspace
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

function __tally_options
    set -l cmd (__tally_command)
    for opt in (tally $cmd --completion-helper 2>/dev/null) --help
        string match -q -- '-*' $opt; and echo $opt
    end
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
complete -c tally -n 'not __tally_command' -a '(tally --list-cmds 2>/dev/null)'
complete -c tally -n '__fish_seen_subcommand_from help' -a '(tally --list-cmds 2>/dev/null) ledger'
complete -c tally -n 'string match -q -- "-*" (commandline -ct)' -a '(__tally_options)'
complete -c tally -n '__tally_command; and __tally_needs_subcommand; and not string match -q -- "-*" (commandline -ct)' -a '(__tally_subcommands)'
complete -c tally -n '__tally_command; and not __tally_needs_subcommand; and not string match -q -- "-*" (commandline -ct)' -F
