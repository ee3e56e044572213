/// The credentials an agent uses against the apiserver; they decide its API Priority and Fairness level.
///
/// - `serviceAccount`: the DaemonSet's own service account. FlowSchema `service-accounts` puts every agent in
///   `workload-low` as one single flow (all pods share the account).
/// - `nodeCredentials`: the node's kubelet credentials (`system:node:NAME`). FlowSchema `system-nodes` puts the agent
///   in `system`, next to the kubelets' own pod reads and status writes, as one flow per node.
/// - `exempt`: a `system:masters` style identity. No APF limit at all: it can only hurt through apiserver CPU and
///   memory.
public enum ClientIdentity: String, Sendable, Codable, CaseIterable {
    case serviceAccount
    case nodeCredentials
    case exempt
}
