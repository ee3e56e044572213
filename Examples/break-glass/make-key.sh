#!/bin/sh
# Makes the break-glass key file (32 random bytes, base64, mode 600, owned by you) unless it exists, and prints the
# line for break-glass.yaml. Never overwrites a key: rotating one is deleting it first, on purpose.
#   Examples/break-glass/make-key.sh [KEYFILE]        (default ~/.sluice/break-glass.key)
set -eu
key=${1:-$HOME/.sluice/break-glass.key}
umask 077
mkdir -p "$(dirname "$key")"
if [ ! -e "$key" ]; then
    head -c 32 /dev/urandom | base64 > "$key"
    echo "made $key" >&2
fi
chmod 600 "$key"
echo "keyFileSHA256: $(sha256sum < "$key" | cut -d' ' -f1)"
