#!/bin/sh
# The brake and release steps of driver.yaml: sets up the APF brake of flowcontrol.yaml on one cluster, or removes it.
# Both are idempotent: `kubectl apply` of the same objects, `kubectl delete --ignore-not-found`. The FlowSchema goes
# first on removal, so that no request is ever matched to a priority level that no longer exists. Sluice checks every
# value before it runs this (Kubernetes names: no '/', '|', space or leading '-'), and each goes into its flag's word.
# Usage: apf-brake.sh on CONTEXT ARTIFACT NAMESPACE SERVICE_ACCOUNT SHARES
#        apf-brake.sh off CONTEXT ARTIFACT
set -eu
here=$(dirname "$0")
case ${1-} in
on)
    [ $# -eq 6 ] || { echo "usage: $0 on CONTEXT ARTIFACT NAMESPACE SERVICE_ACCOUNT SHARES" >&2; exit 2; }
    case $6 in '' | *[!0-9]*) echo "shares must be a whole number, not '$6'" >&2; exit 2 ;; esac
    sed -e /^#/d -e "s|SLUICE_ARTIFACT|$3|g" -e "s|SLUICE_NAMESPACE|$4|g" -e "s|SLUICE_SERVICE_ACCOUNT|$5|g" \
        -e "s|SLUICE_SHARES|$6|g" "$here/flowcontrol.yaml" |
        kubectl --context="$2" apply --filename=-
    ;;
off)
    [ $# -eq 3 ] || { echo "usage: $0 off CONTEXT ARTIFACT" >&2; exit 2; }
    kubectl --context="$2" delete --ignore-not-found "flowschemas.flowcontrol.apiserver.k8s.io/$3"
    kubectl --context="$2" delete --ignore-not-found "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io/$3"
    ;;
*)
    echo "usage: $0 on|off CONTEXT ARTIFACT ..." >&2
    exit 2
    ;;
esac
