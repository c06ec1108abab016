#!/bin/sh
# Checks a built gatehouse .deb (CI runs it after `make deb`): its contents, lintian's errors,
# that the binary needs no Swift library, and, as root, a real install, upgrade and purge on
# this (throw-away) machine: the user is made, a first config is installed, an edited config
# survives an upgrade, and purging keeps the ledger.
#
# Usage: packaging/deb/check.sh path/to/gatehouse_VERSION_amd64.deb
set -eu

deb=$1
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
ok() { echo "deb-check: ok: $*"; }

dpkg-deb --info "$deb" >/dev/null || fail "not a Debian package"
contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/gatehouse ./usr/lib/systemd/system/gatehouse.service ./usr/lib/sysusers.d/gatehouse.conf \
    ./usr/share/gatehouse/gatehouse.yaml ./usr/share/gatehouse/examples/ ./usr/share/doc/gatehouse/copyright; do
    printf '%s\n' "$contents" | grep -q " $path\$" || fail "the package lacks $path"
done
# Nothing in /etc: the config is the maintainer scripts' to put there, and only once.
if printf '%s\n' "$contents" | grep -q ' \./etc/'; then fail "the package ships files in /etc"; fi
ok "contents ($(printf '%s\n' "$contents" | wc -l) entries)"

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-deb-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
if ldd "$work/root/usr/bin/gatehouse" | grep -q 'libswift\|libFoundation\|libdispatch'; then
    fail "the binary loads Swift libraries: $(ldd "$work/root/usr/bin/gatehouse" | grep -c swift) of them"
fi
# Runs with no Swift toolchain in sight: an empty environment, no library path.
env -i "$work/root/usr/bin/gatehouse" --version >/dev/null || fail "the binary does not run without the toolchain"
env -i "$work/root/usr/bin/gatehouse" check --help >/dev/null || fail "the binary does not start"
grep -q '^ExecStart=/usr/bin/gatehouse run' "$work/root/usr/lib/systemd/system/gatehouse.service" || fail "the unit does not run /usr/bin/gatehouse"
ok "the binary needs no Swift library ($(ldd "$work/root/usr/bin/gatehouse" | wc -l) libraries, none of Swift's)"

if command -v lintian >/dev/null 2>&1; then
    # Errors fail the check; warnings are printed for whoever reads the log.
    lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 || true
    cat "$work/lintian.txt"
    if grep -q '^E:' "$work/lintian.txt"; then fail "lintian reports errors"; fi
    ok "lintian: no errors ($(grep -c '^W:' "$work/lintian.txt" || true) warnings)"
else
    echo "deb-check: lintian is not installed; skipped"
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deb-check: not root: the install, upgrade and purge are skipped"
    exit 0
fi
if dpkg -s gatehouse >/dev/null 2>&1; then fail "gatehouse is installed on this machine already; the check would change it"; fi
dpkg -i "$deb" >/dev/null
getent passwd gatehouse >/dev/null || fail "postinst made no gatehouse user"
[ -f /etc/gatehouse/gatehouse.yaml ] || fail "postinst installed no config"
[ "$(stat -c '%a %G' /etc/gatehouse/gatehouse.yaml)" = "640 gatehouse" ] || fail "the config is not 0640 root:gatehouse"
[ "$(stat -c '%a %U' /etc/gatehouse/credentials)" = "700 root" ] || fail "the credentials directory is not 0700 root"
gatehouse --version >/dev/null || fail "gatehouse is not on PATH"
ok "installed: user, config (0640), credentials (0700), /usr/bin/gatehouse"

# An upgrade (the same package again) keeps an edited config and what sits next to it.
echo "# edited by the operator" >> /etc/gatehouse/gatehouse.yaml
sum=$(sha256sum /etc/gatehouse/gatehouse.yaml)
dpkg -i "$deb" >/dev/null
[ "$(sha256sum /etc/gatehouse/gatehouse.yaml)" = "$sum" ] || fail "an upgrade changed the edited config"
ok "an upgrade keeps the edited config"

# Purging removes the config, never the ledger.
mkdir -p /var/lib/gatehouse
echo "audit" > /var/lib/gatehouse/ledger.sqlite
dpkg --purge gatehouse >/dev/null
[ ! -e /etc/gatehouse ] || fail "purge left /etc/gatehouse"
[ -f /var/lib/gatehouse/ledger.sqlite ] || fail "purge removed the ledger"
rm -rf /var/lib/gatehouse
ok "purge removes the config and keeps the ledger"
