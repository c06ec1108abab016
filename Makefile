# `make install` (as root): build the release binary and install Gatehouse as a systemd service;
# it is systemd/install.sh, which says what goes where. Staging for a package instead:
#   make install DESTDIR=/tmp/stage PREFIX=/usr INSTALL_FLAGS=--no-build
# INSTALL_FLAGS passes options on: --no-build, --binary PATH, --dry-run, --notify-reload.
# The package itself is built and tested with SwiftPM (swift build, swift test), not with make.
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_FLAGS ?=

.PHONY: all release install check-unit deb

all: release

release:
	swift build -c release --product gatehouse

install:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' sh systemd/install.sh $(INSTALL_FLAGS)

# The unit's checks from .ci/run: systemd-analyze verify and security, a staged install.
check-unit:
	sh systemd/check-unit.sh

# The Debian package, gatehouse_VERSION_amd64.deb in .build-deb/ (packaging/deb/build.sh: the
# binary with the Swift runtime linked statically, the unit, sysusers, the reference config, and
# maintainer scripts that never overwrite a config). Its path is the last line printed.
deb:
	sh packaging/deb/build.sh
