#!/usr/bin/env bash
# The bash completion of torchestra-cli (resources/bash-completion/torchestra-cli): sourced in
# this shell, asked as bash would ask it, for a command, a flag and flag values; then checked
# against the program itself, so it cannot drift from it: every command and flag that
# `torchestra-cli --help` names is offered, and the program accepts every flag offered.
# Usage: completion_test.sh COMPLETION_SCRIPT TORCHESTRA_CLI
set -uo pipefail
SCRIPT="$1"
CLI="$2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

check() { # check NAME CONDITION-RESULT(0/1) DETAIL
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1: $3"
    fi
}

# shellcheck source=/dev/null
source "$SCRIPT"

# complete WORDS...: what the completion offers for the last word (the one being typed).
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _torchestra_cli
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

[ "$(complete -p torchestra-cli)" = "complete -F _torchestra_cli torchestra-cli" ]
check "registered for torchestra-cli" $? "$(complete -p torchestra-cli 2>&1)"

got="$(complete_words torchestra-cli ren)"
[ "$got" = "render" ]
check "a command" $? "'ren' gave '$got'"
got="$(complete_words torchestra-cli eval)"
[ "$got" = "eval eval-infill eval-jsb" ]
check "commands sharing a prefix" $? "'eval' gave '$got'"
got="$(complete_words torchestra-cli render --sound)"
[ "$got" = "--soundfont" ]
check "a flag" $? "'render --sound' gave '$got'"
got="$(complete_words torchestra-cli metrics --per)"
[ "$got" = "--per-track" ]
check "a switch" $? "'metrics --per' gave '$got'"
got="$(complete_words torchestra-cli play --api "")"
[ "$got" = "alsa jack" ]
check "a flag's values" $? "'play --api' gave '$got'"
got="$(complete_words torchestra-cli train --model l)"
[ "$got" = "lstm" ]
check "model kinds for train" $? "'train --model l' gave '$got'"
got="$(cd "$WORK" && complete_words torchestra-cli generate --model bui)"
[ "$got" = "builtin:bach-gan builtin:bach-markov builtin:bach-nade" ]
check "built-in models for --model" $? "'generate --model bui' gave '$got'"
# Bash splits "builtin:bach-n" at the colon into three words.
got="$(complete_words torchestra-cli generate --model builtin : bach-n)"
[ "$got" = "bach-nade" ]
check "a built-in's name after builtin:" $? "'generate --model builtin:bach-n' gave '$got'"
got="$(complete_words torchestra-cli eval --model builtin :)"
[ "$got" = "bach-gan bach-markov bach-nade" ]
check "every built-in after builtin:" $? "'eval --model builtin:' gave '$got'"
got="$(complete_words torchestra-cli export-jsb --split v)"
[ "$got" = "valid" ]
check "the JSB splits for export-jsb" $? "'export-jsb --split v' gave '$got'"
got="$(complete_words torchestra-cli generate --rank-by "")"
[ "$got" = "closeness following likelihood" ]
check "the rankings for --rank-by" $? "'generate --rank-by' gave '$got'"
got="$(complete_words torchestra-cli eval --min-note p)"
[ "$got" = "primer" ]
check "a word beside the number for --min-note" $? "'eval --min-note p' gave '$got'"
got="$(complete_words torchestra-cli corpus b)"
[ "$got" = "build" ]
check "corpus's subcommands" $? "'corpus b' gave '$got'"
got="$(complete_words torchestra-cli train --epochs "")"
[ "$got" = "" ]
check "nothing for a number" $? "'train --epochs' gave '$got'"

mkdir -p "$WORK/files/sub"
touch "$WORK/files/GM.sf2" "$WORK/files/song.mid" "$WORK/files/notes.txt"
got="$(complete_words torchestra-cli render --soundfont "$WORK/files/")"
[ "$got" = "$WORK/files/GM.sf2 $WORK/files/sub" ]
check "SoundFonts and folders for --soundfont" $? "gave '$got'"
got="$(complete_words torchestra-cli inspect "$WORK/files/")"
[ "$got" = "$WORK/files/song.mid $WORK/files/sub" ]
check "MIDI files and folders for inspect" $? "gave '$got'"

# Against the program. Its command list:
"$CLI" --help >"$WORK/help" 2>&1
check "torchestra-cli --help" $? "$(cat "$WORK/help")"
commands="$(sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' "$WORK/help" | sort | tr '\n' ' ')"
offered="$(complete_words torchestra-cli "" | tr ' ' '\n' | grep -v '^--' | sort | tr '\n' ' ')"
[ -n "$commands" ] && [ "$commands" = "$offered" ]
check "the program's commands" $? "--help names '$commands', the completion '$offered'"

for command in $commands; do
    { read -r values && read -r switches; } < <(_torchestra_cli_flags "$command")
    # Every flag the command's usage names is offered.
    usage="$(grep "^  $command " "$WORK/help")"
    while read -r flag; do
        [[ " $values $switches " == *" $flag "* ]]
        check "$command $flag offered" $? "its usage names it: $usage"
    done < <(grep -o -- '--[a-z][a-z-]*' <<<"$usage" | sort -u)
    # The program takes every flag offered: given them all, then one that does not exist, it
    # stops at that one (the arguments are checked before any work is done).
    args=()
    for flag in $values; do args+=("$flag" 1); done
    for flag in $switches; do args+=("$flag"); done
    "$CLI" "$command" "${args[@]}" --no-such-flag >"$WORK/out" 2>&1
    grep -q -- "unknown option --no-such-flag" "$WORK/out"
    check "$command accepts the flags offered" $? "$(head -c 300 "$WORK/out")"
done

echo "completion: $passed passed, $failed failed"
[ "$failed" = 0 ]
