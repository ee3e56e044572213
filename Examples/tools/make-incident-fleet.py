#!/usr/bin/env python3
"""Writes Examples/fleet-incident.yaml: a fleet shaped like the one of 11 Dec 2024.

About 200 clusters of 50 to 7,500 nodes, about 200,000 nodes in all: many small clusters, few very large ones.
Deterministic (fixed seed), so the file only changes when this script does.
"""
import random
import sys

rng = random.Random(20241211)
regions = ["us-east", "us-west", "eu-west", "eu-north", "ap-south", "ap-east"]
tiers = [  # (tier, count, smallest, largest)
    ("small", 118, 50, 450),
    ("medium", 56, 500, 1800),
    ("large", 17, 2000, 4800),
    ("xlarge", 8, 5000, 7500),
]

clusters = [("staging-1", "staging", "us-east", 60)]
for tier, count, low, high in tiers:
    for index in range(1, count + 1):
        region = regions[(index - 1) % len(regions)]
        nodes = rng.randint(low, high) // 10 * 10
        clusters.append((f"prod-{region}-{tier}-{index:03d}", tier, region, nodes))
clusters[-1] = (clusters[-1][0], "xlarge", clusters[-1][2], 7500)


def apiservers(nodes):
    return 5 if nodes >= 5000 else 3 if nodes >= 500 else 1


out = [
    "# The incident fleet: made by Examples/tools/make-incident-fleet.py (fixed seed); do not edit by hand.",
    f"# {len(clusters)} clusters, {sum(c[3] for c in clusters):,} nodes, 30 pods per node.",
    "apiVersion: sluice.dev/v1",
    "kind: Fleet",
    "metadata:",
    "  name: incident",
    "spec:",
    "  clusters:",
]
for name, tier, region, nodes in clusters:
    out.append(
        f"    - {{name: {name}, labels: {{tier: {tier}, region: {region}}}, nodes: {nodes}, apiservers: {apiservers(nodes)}}}"
    )
path = sys.argv[1] if len(sys.argv) > 1 else "Examples/fleet-incident.yaml"
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
