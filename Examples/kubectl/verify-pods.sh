#!/bin/sh
# The verify step of driver.yaml: exits 0 only when, on every node given, the agent's pods (label app=APP, as in
# daemonset.yaml) exist and each is Running, Ready and on VERSION (its image tag); otherwise prints what is missing,
# one line per problem. Needs only sh and kubectl; every value goes into its flag's word, so none can be an option.
# Usage: verify-pods.sh CONTEXT NAMESPACE APP VERSION NODE...
context=$1 namespace=$2 app=$3 version=$4
shift 4
# One line per pod: name, phase, image, then its Ready condition (last: empty while the pod has none yet).
format='{range .items[*]}{.metadata.name} {.status.phase} {.spec.containers[0].image} '
format=$format'{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'

# Prints the problems of the pods on node $1, nothing when they are all fine.
check_node() {
    pods=$(kubectl --context="$context" --namespace="$namespace" get pods --selector="app=$app" \
        --field-selector="spec.nodeName=$1" --output=jsonpath="$format") ||
        { echo "$1: kubectl get pods failed"; return; }
    [ -n "$pods" ] || { echo "$1: no $app pod"; return; }
    printf '%s\n' "$pods" | while read -r pod phase image ready; do
        [ "$phase" = Running ] || echo "$1: $pod is $phase, not Running"
        [ "$ready" = True ] || echo "$1: $pod is not Ready"
        case $image in *:"$version") ;; *) echo "$1: $pod runs $image, not version $version" ;; esac
    done
}

problems=$(for node in "$@"; do check_node "$node"; done)
[ -z "$problems" ] || { printf '%s\n' "$problems"; exit 1; }
