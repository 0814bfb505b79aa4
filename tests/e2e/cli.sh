# The dispatcher: help, version, exit codes of usage errors.
. "$(dirname "$0")/lib.sh"
check "version" sh -c '"$KASANE" --version | grep -q "^kasane [0-9]"'
check "help lists every command" sh -c '"$KASANE" --help | grep -q collect && "$KASANE" --help | grep -q report'
expect_exit "unknown command is a usage error" 2 "unknown command 'frobnicate'" "$KASANE" frobnicate
expect_exit "no command is a usage error" 2 "usage" "$KASANE"
for c in collect import gen plan sim report top; do
    check "help $c" sh -c "\"$KASANE\" help $c | grep -q 'usage: kasane $c'"
done
