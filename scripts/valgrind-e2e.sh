#!/bin/sh
# Run the end-to-end tests with every kasane invocation under valgrind memcheck.
# A memory error or a definite leak makes that kasane exit 99, so the e2e check
# around it fails. Usage: scripts/valgrind-e2e.sh [PATTERN]   (after make)
set -eu
cd "$(dirname "$0")/.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cat > "$W/kasane" <<EOW
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --trace-children=no "$(pwd)/build/kasane" "\$@"
EOW
chmod +x "$W/kasane"
KASANE="$W/kasane" BUILD=build-none tests/run.sh "${1:-}"
