#!/bin/sh
# Reverts the agent on one node without the Kubernetes control plane: over ssh, it sets the node-local kill switch
# the agent reads at start (/etc/sluice/killswitch/ARTIFACT, holding the version to stop) and stops the agent's
# running pods through the container runtime (crictl), so kubelet's restart finds the switch and the agent stays idle.
# Idempotent: a second run sets the same file and finds nothing left to stop.
#   node-revert.sh NODE ARTIFACT VERSION
# The ssh user needs passwordless sudo for this script's two commands; BatchMode makes a missing key fail fast
# instead of waiting for a password at 3 a.m.
set -eu
node=$1 artifact=$2 version=$3
# ssh hands the remote shell one string: only plain names may go into it.
case "$artifact$version" in
    *[!A-Za-z0-9._-]*) echo "refused: artifact '$artifact' or version '$version' is not a plain name" >&2; exit 2 ;;
esac
exec ssh -o BatchMode=yes -o ConnectTimeout=10 -- "$node" sudo sh -s -- "$artifact" "$version" <<'REMOTE'
set -eu
artifact=$1 version=$2
mkdir -p /etc/sluice/killswitch
printf '%s\n' "$version" > "/etc/sluice/killswitch/$artifact"
pods=$(crictl pods -q --state ready --namespace observability --label "app=$artifact")
for pod in $pods; do crictl stopp "$pod" >/dev/null; done
echo "$(hostname): kill switch set for $artifact $version; pods stopped: ${pods:-none running}"
REMOTE
