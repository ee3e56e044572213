#!/bin/sh
# Builds release binaries and installs sluice, sluiced and the systemd unit.
#   scripts/install.sh [--prefix /usr/local] [--destdir DIR] [--bin DIR]
# DESTDIR stages the files under DIR (for packaging, or to look before installing). Then, as root:
#   useradd --system --home /var/lib/sluice sluice; put driver.yaml and prometheus.yaml in /etc/sluice;
#   systemctl daemon-reload && systemctl enable --now sluiced
set -eu
prefix=/usr/local destdir= bin=
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --destdir) destdir=$2; shift 2 ;;
        --bin) bin=$2; shift 2 ;;
        *) echo "install.sh: unknown option $1 (use --prefix DIR, --destdir DIR, --bin DIR)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
# --bin DIR installs binaries built elsewhere (a CI artifact); without it, a release build here.
if [ -z "$bin" ]; then
    swift build -c release --product sluiced && swift build -c release --product sluice
    bin=$(swift build -c release --show-bin-path)
fi
for program in sluiced sluice; do
    [ -x "$bin/$program" ] || { echo "install.sh: no $program in $bin; build it or give --bin DIR" >&2; exit 1; }
done
bindir=$prefix/bin confdir=/etc/sluice unitdir=/etc/systemd/system
install -d "$destdir$bindir" "$destdir$confdir" "$destdir$unitdir"
install -m 0755 "$bin/sluiced" "$bin/sluice" "$destdir$bindir/"
sed -e "s|@BINDIR@|$bindir|g" -e "s|@CONFDIR@|$confdir|g" Examples/systemd/sluiced.service > "$destdir$unitdir/sluiced.service"
chmod 0644 "$destdir$unitdir/sluiced.service"
echo "installed sluice and sluiced in $destdir$bindir, the unit in $destdir$unitdir/sluiced.service"
