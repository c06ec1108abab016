#!/bin/sh
# Install Gatehouse as a systemd service on this machine (as root), or stage the same files under
# DESTDIR for a package. What goes where:
#
#   $PREFIX/bin/gatehouse                          the release build (swift build -c release)
#   /etc/systemd/system/gatehouse.service          the hardened unit (paths follow $PREFIX)
#   /etc/systemd/system/gatehouse.service.d/notify-reload.conf   only on systemd >= 253
#   /etc/sysusers.d/gatehouse.conf                 the `gatehouse` system user and group
#   /etc/gatehouse/gatehouse.yaml                  the reference config, only if there is none yet
#                                                  (with its routes.d/ and words.txt)
#   /etc/gatehouse/credentials/                    root only (0700): the secrets, put there by you
#   $PREFIX/share/gatehouse/                       the reference config and examples, to compare
#
# It never overwrites a config or a credential, never enables or starts the service, and runs
# `systemctl daemon-reload` only when systemd is running here and DESTDIR is empty.
#
# Usage: systemd/install.sh [--no-build] [--binary PATH] [--prefix DIR] [--destdir DIR]
#                           [--notify-reload | --no-notify-reload] [--dry-run]
# PREFIX and DESTDIR may also come from the environment (as with `make install`).
set -eu

usage() {
    cat <<'EOF'
Usage: systemd/install.sh [options]
  --no-build            do not build; install .build/release/gatehouse (or --binary)
  --binary PATH         install this gatehouse executable (implies --no-build)
  --prefix DIR          where bin/ and share/ go (default: $PREFIX or /usr/local)
  --destdir DIR         stage everything under DIR (default: $DESTDIR or none); no user is
                        created, nothing is chowned, systemctl is not called
  --notify-reload       install the Type=notify-reload drop-in (systemd >= 253)
  --no-notify-reload    do not (default: install it if this machine's systemd is >= 253)
  --dry-run, -n         print what would be done, change nothing
  -h, --help            this text
EOF
}

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
build=yes
binary=
dry_run=no
notify_reload=auto

while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=no ;;
        --binary) [ $# -ge 2 ] || { usage >&2; exit 2; }; binary=$2; build=no; shift ;;
        --binary=*) binary=${1#--binary=}; build=no ;;
        --prefix) [ $# -ge 2 ] || { usage >&2; exit 2; }; PREFIX=$2; shift ;;
        --prefix=*) PREFIX=${1#--prefix=} ;;
        --destdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; DESTDIR=$2; shift ;;
        --destdir=*) DESTDIR=${1#--destdir=} ;;
        --notify-reload) notify_reload=yes ;;
        --no-notify-reload) notify_reload=no ;;
        -n|--dry-run) dry_run=yes ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

fail() { echo "install.sh: $*" >&2; exit 1; }
note() { echo "install.sh: $*"; }
# Every change goes through run: printed, and done unless --dry-run.
run() {
    echo "+ $*"
    if [ "$dry_run" = no ]; then "$@"; fi
}

# The unit's command lines are not quoted: the prefix must be an absolute path without spaces.
case $PREFIX in
    /*) ;;
    *) fail "PREFIX must be an absolute path, got '$PREFIX'" ;;
esac
if printf '%s' "$PREFIX" | grep -q "[[:space:]|\\'\"\$%]"; then
    fail "PREFIX must not contain spaces, quotes, \\, |, \$ or %: '$PREFIX'"
fi
PREFIX=${PREFIX%/}
if [ -n "$DESTDIR" ]; then
    case $DESTDIR in
        /*) ;;
        *) DESTDIR=$(pwd)/$DESTDIR ;;
    esac
    DESTDIR=${DESTDIR%/}
fi

# A live install (no DESTDIR) writes to /etc and creates a user: root only.
live=no
[ -n "$DESTDIR" ] || live=yes
if [ "$live" = yes ] && [ "$dry_run" = no ] && [ "$(id -u)" -ne 0 ]; then
    fail "installing into / needs root (or use --destdir DIR to stage, --dry-run to look)"
fi

here=$(cd "$(dirname "$0")/.." && pwd)
umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# --- 1. The binary -----------------------------------------------------------------------------
if [ "$build" = yes ]; then
    command -v swift >/dev/null 2>&1 || fail "swift is not on PATH (or pass --no-build --binary PATH)"
    (cd "$here" && run swift build -c release --product gatehouse)
    if [ "$dry_run" = yes ]; then
        binary=$here/.build/release/gatehouse
    else
        binary=$(cd "$here" && swift build -c release --show-bin-path)/gatehouse
    fi
elif [ -z "$binary" ]; then
    binary=$here/.build/release/gatehouse
fi
if [ "$dry_run" = no ] && [ ! -x "$binary" ]; then
    fail "no executable at $binary (build with: swift build -c release --product gatehouse)"
fi
run install -D -m 0755 "$binary" "$DESTDIR$PREFIX/bin/gatehouse"

# --- 2. The unit (and, on systemd >= 253, the notify-reload drop-in) ---------------------------
unitdir=/etc/systemd/system
sed "s|/usr/local/bin/gatehouse|$PREFIX/bin/gatehouse|g" "$here/systemd/gatehouse.service" > "$work/gatehouse.service"
run install -D -m 0644 "$work/gatehouse.service" "$DESTDIR$unitdir/gatehouse.service"

if [ "$notify_reload" = auto ]; then
    notify_reload=no
    if [ "$live" = yes ] && command -v systemctl >/dev/null 2>&1; then
        version=$(systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9][0-9]*\).*/\1/p')
        if [ -n "$version" ] && [ "$version" -ge 253 ]; then notify_reload=yes; fi
    fi
fi
if [ "$notify_reload" = yes ]; then
    run install -D -m 0644 "$here/systemd/notify-reload.conf" "$DESTDIR$unitdir/gatehouse.service.d/notify-reload.conf"
elif [ -e "$DESTDIR$unitdir/gatehouse.service.d/notify-reload.conf" ]; then
    note "left $DESTDIR$unitdir/gatehouse.service.d/notify-reload.conf in place (from an earlier install)"
fi

# --- 3. The system user ------------------------------------------------------------------------
run install -D -m 0644 "$here/systemd/gatehouse.sysusers" "$DESTDIR/etc/sysusers.d/gatehouse.conf"
if [ "$live" = yes ]; then
    if getent passwd gatehouse >/dev/null 2>&1; then
        note "user gatehouse exists"
    elif command -v systemd-sysusers >/dev/null 2>&1; then
        run systemd-sysusers /etc/sysusers.d/gatehouse.conf
    else
        run useradd --system --user-group --home-dir /var/lib/gatehouse --no-create-home \
            --shell /usr/sbin/nologin --comment "Gatehouse compliance gateway" gatehouse
    fi
fi
# Files the daemon reads are root-owned and group-readable by it; staged files keep the
# installer's owner (a package sets them).
if [ "$live" = yes ]; then
    owned_by() { echo "-o root -g $1"; }
else
    owned_by() { :; }
fi

# --- 4. The config -----------------------------------------------------------------------------
share=$DESTDIR$PREFIX/share/gatehouse
run install -d -m 0755 "$share" "$share/routes.d" "$share/examples"
run install -m 0644 "$here/Config/gatehouse.yaml" "$here/Config/words.txt" "$share/"
for file in "$here"/Config/routes.d/*.yaml; do
    if [ -f "$file" ]; then run install -m 0644 "$file" "$share/routes.d/"; fi
done
for file in "$here"/Config/examples/*; do
    if [ -f "$file" ]; then run install -m 0644 "$file" "$share/examples/"; fi
done

etc=$DESTDIR/etc/gatehouse
run install -d -m 0755 "$etc"
if [ -e "$etc/gatehouse.yaml" ]; then
    # Only a first install brings routes.d/ and words.txt too: dropped next to an existing config,
    # a reference route could be pulled in by its `include:` without anyone having written it.
    note "kept the existing $etc/gatehouse.yaml; the new reference is $share/gatehouse.yaml"
else
    # shellcheck disable=SC2046 # owned_by prints separate words on purpose
    run install -m 0640 $(owned_by gatehouse) "$here/Config/gatehouse.yaml" "$etc/gatehouse.yaml"
    if [ ! -e "$etc/words.txt" ]; then
        # shellcheck disable=SC2046
        run install -m 0640 $(owned_by gatehouse) "$here/Config/words.txt" "$etc/words.txt"
    fi
    # shellcheck disable=SC2046
    run install -d -m 0750 $(owned_by gatehouse) "$etc/routes.d"
    for file in "$here"/Config/routes.d/*.yaml; do
        if [ -f "$file" ] && [ ! -e "$etc/routes.d/$(basename "$file")" ]; then
            # shellcheck disable=SC2046
            run install -m 0640 $(owned_by gatehouse) "$file" "$etc/routes.d/"
        fi
    done
    note "installed the reference config as $etc/gatehouse.yaml: edit it before starting"
fi

# --- 5. The credentials directory --------------------------------------------------------------
# systemd (as root) reads these for LoadCredential= and gives the service its own copies; nobody
# else needs to read them, the service included.
# shellcheck disable=SC2046
run install -d -m 0700 $(owned_by root) "$etc/credentials"
if [ "$live" = yes ] && [ -d "$etc/credentials" ]; then
    run chmod 0700 "$etc/credentials"
fi
missing=
for name in telegram-token dingtalk-secret audit-key; do
    [ -s "$etc/credentials/$name" ] || missing="$missing $name"
done
for name in telegram-token dingtalk-secret audit-key telegram-webhook-secret alerts-token alerts-secret; do
    file=$etc/credentials/$name
    if [ -e "$file" ] && [ -n "$(find "$file" -perm /077 2>/dev/null)" ]; then
        note "warning: $file is readable by others than its owner: chmod 0600 it"
    fi
done

# --- 6. Tell systemd ---------------------------------------------------------------------------
if [ "$live" = yes ] && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
elif [ "$live" = yes ]; then
    note "systemd is not running here: run 'systemctl daemon-reload' where it does"
fi

cat <<EOF

Installed$( [ "$dry_run" = yes ] && echo " (dry run: nothing was changed)" )$( [ -n "$DESTDIR" ] && echo " under $DESTDIR" ).
Next steps (see README, "Install as a service"):
  1. Edit /etc/gatehouse/gatehouse.yaml: platforms, channels, checks, routes.
  2. Put the secrets the config names in /etc/gatehouse/credentials/ (owned by root, mode 0600):
       telegram-token               the Telegram bot token                    (required)
       dingtalk-secret              the DingTalk app's AppSecret              (required)
       audit-key                    the checkpoint signing key                (required):
         gatehouse audit keygen --name ORIGIN --out /etc/gatehouse/credentials/audit-key
       telegram-webhook-secret      only with receive: webhook                (optional)
       alerts-token, alerts-secret  the DingTalk custom robot channel         (optional)
EOF
if [ -n "$missing" ]; then
    echo "     Still missing:$missing"
fi
cat <<EOF
  3. Check: CREDENTIALS_DIRECTORY=/etc/gatehouse/credentials $PREFIX/bin/gatehouse check --config /etc/gatehouse/gatehouse.yaml
  4. Start: systemctl enable --now gatehouse
EOF
