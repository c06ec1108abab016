#!/bin/sh
# Builds the Debian package: gatehouse_VERSION_amd64.deb (`make deb`), with dpkg-deb alone.
#
#   /usr/bin/gatehouse                         the release build, the Swift runtime linked in
#                                              statically (--static-swift-stdlib): no Swift needed
#   /usr/lib/systemd/system/gatehouse.service  the hardened unit (systemd/gatehouse.service)
#   /usr/lib/sysusers.d/gatehouse.conf         the `gatehouse` system user and group
#   /usr/share/gatehouse/                      the reference config, routes.d/, words.txt, the
#                                              examples and notify-reload.conf (systemd >= 253)
#   /usr/share/doc/gatehouse/                  copyright, changelog
#   /usr/share/man/man1/gatehouse.1.gz         the manual page
#
# The maintainer scripts (packaging/deb/) make the user, copy the reference config to
# /etc/gatehouse only when there is none (never over an existing one), make the root-only
# credentials directory, and restart a running daemon on upgrade; purging never removes the
# ledger (the audit log). The service is neither enabled nor started.
#
# Usage: packaging/deb/build.sh [--binary PATH] [--out DIR]
#   --binary PATH   package this executable (built with --static-swift-stdlib) instead of building
#   --out DIR       where the .deb goes (default: .build-deb/)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
# Who answers for the package (the control file's Maintainer, the changelog's signature).
maintainer=${DEB_MAINTAINER:-Gatehouse maintainers <maintainers@gatehouse.example.org>}
binary=
out=$here/.build-deb
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2; shift ;;
        --out) out=$2; shift ;;
        *) echo "build.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
command -v dpkg-deb >/dev/null 2>&1 || { echo "build.sh: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 1; }

if [ -z "$binary" ]; then
    # Its own scratch folder: the static build shares nothing with the everyday one.
    (cd "$here" && swift build -c release --product gatehouse --static-swift-stdlib --scratch-path .build-deb)
    binary=$(cd "$here" && swift build -c release --product gatehouse --static-swift-stdlib --scratch-path .build-deb --show-bin-path)/gatehouse
fi
# The package is for machines without Swift: no Swift library may be needed at run time.
if ldd "$binary" | grep -q 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime'; then
    echo "build.sh: $binary loads Swift libraries (build it with --static-swift-stdlib):" >&2
    ldd "$binary" | grep 'swift\|Foundation\|dispatch\|Blocks' >&2
    exit 1
fi
version=$("$binary" --version)
case $version in
    [0-9]*) ;;
    *) echo "build.sh: '$binary --version' printed '$version', not a version" >&2; exit 1 ;;
esac

stage=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
umask 022

install -D -m 0755 "$binary" "$stage/usr/bin/gatehouse"
strip --strip-unneeded "$stage/usr/bin/gatehouse"
install -d "$stage/usr/lib/systemd/system" "$stage/usr/lib/sysusers.d"
sed 's|/usr/local/bin/gatehouse|/usr/bin/gatehouse|g' "$here/systemd/gatehouse.service" > "$stage/usr/lib/systemd/system/gatehouse.service"
chmod 0644 "$stage/usr/lib/systemd/system/gatehouse.service"
install -m 0644 "$here/systemd/gatehouse.sysusers" "$stage/usr/lib/sysusers.d/gatehouse.conf"
share=$stage/usr/share/gatehouse
install -d "$share/routes.d" "$share/examples"
install -m 0644 "$here/Config/gatehouse.yaml" "$here/Config/words.txt" "$here/systemd/notify-reload.conf" "$share/"
for file in "$here"/Config/routes.d/*.yaml; do [ -f "$file" ] && install -m 0644 "$file" "$share/routes.d/"; done
for file in "$here"/Config/examples/*; do [ -f "$file" ] && install -m 0644 "$file" "$share/examples/"; done
install -d "$stage/usr/share/man/man1"
gzip -9n < "$here/packaging/deb/gatehouse.1" > "$stage/usr/share/man/man1/gatehouse.1.gz"
chmod 0644 "$stage/usr/share/man/man1/gatehouse.1.gz"
doc=$stage/usr/share/doc/gatehouse
install -d "$doc"
# What lintian would otherwise call errors, each with why it is so.
install -D -m 0644 "$here/packaging/deb/lintian-overrides" "$stage/usr/share/lintian/overrides/gatehouse"
install -m 0644 "$here/packaging/deb/copyright" "$doc/copyright"
{
    echo "gatehouse ($version) stable; urgency=medium"
    echo
    echo "  * Built from $(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo 'a source tree')."
    echo
    echo " -- $maintainer  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(cd "$here" && git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# What the binary needs from the system, as Debian names it (a static Swift runtime leaves only
# the C and C++ runtimes, SQLite and zlib).
depends="libc6 (>= 2.35), libgcc-s1, libstdc++6, libsqlite3-0, zlib1g, adduser"
install -d "$stage/DEBIAN"
for script in postinst prerm postrm; do install -m 0755 "$here/packaging/deb/$script" "$stage/DEBIAN/$script"; done
cat > "$stage/DEBIAN/control" <<CONTROL
Package: gatehouse
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: systemd
Section: net
Priority: optional
Homepage: https://github.com/gatehouse/gatehouse
Description: compliance gateway between DingTalk and Telegram
 Gatehouse is the one door between an internal DingTalk workspace and Telegram
 channels and bots: for every message it decides from rule files whether it may
 cross (forward, redact, hold for approval, block) and keeps a tamper-evident,
 signed audit log of every crossing. Runs as the systemd service gatehouse.
CONTROL

mkdir -p "$out"
deb=$out/gatehouse_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
