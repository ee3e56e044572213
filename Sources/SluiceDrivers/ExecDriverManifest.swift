internal import SluiceCore
public import SluiceManifests

/// Reads `kind: ExecDriver` files.
public enum ExecDriverManifest {
    /// The driver config in `path`, or every problem found in it.
    public static func load(_ path: String) throws(ManifestError) -> ExecDriverConfig {
        let document = try ManifestDocument.read(path, kind: "ExecDriver")
        let spec = document.spec(
            allowed: ["apply", "revert", "verify", "timeout", "maxNodesPerCall", "brake", "release"])
        let apply = spec?.required("apply")?.command(placeholders: ExecDriverConfig.placeholders)
        let revert = spec?.required("revert")?.command(placeholders: ExecDriverConfig.placeholders)
        let verify = spec?["verify"].flatMap(Self.verify)
        let brakeWords = ExecDriverConfig.placeholders + ExecDriverConfig.brakePlaceholders
        let brake = spec?["brake"]?.command(placeholders: brakeWords)
        let release = spec?["release"]?.command(placeholders: brakeWords)
        if let spec, (spec["brake"] == nil) != (spec["release"] == nil) {
            (spec["brake"] ?? spec["release"] ?? spec.owner).fail(
                "a driver that sets up an APF brake must also remove it: give both spec.brake and spec.release")
        }
        let timeout = spec?["timeout"]?.durationSeconds() ?? 120
        let maxNodes = spec?["maxNodesPerCall"]?.int(atLeast: 1) ?? 200
        try document.check()
        guard let apply, let revert else { throw ManifestError(document.root.reader.problems) }
        return ExecDriverConfig(
            apply: apply, revert: revert, timeoutSeconds: timeout, maxNodesPerCall: maxNodes, verify: verify,
            brake: brake, release: release)
    }

    /// The `verify` step: its command, and a timeout and interval longer than zero with the interval the shorter.
    static func verify(_ node: ManifestNode) -> ExecDriverConfig.Verify? {
        guard let fields = node.mapping(allowed: ["command", "timeout", "interval"]) else { return nil }
        let command = fields.commandWords(placeholders: ExecDriverConfig.placeholders)
        let defaults = ExecDriverConfig.Verify(command: [])
        // nil after a problem was recorded, so that a bad value is not also compared with the other one.
        let timeout =
            fields["timeout"].map { $0.positiveDurationSeconds(zeroMeans: "would give up before any try") }
            ?? defaults.timeoutSeconds
        let interval =
            fields["interval"].map { $0.positiveDurationSeconds(zeroMeans: "would retry without a pause") }
            ?? defaults.intervalSeconds
        if let timeout, let interval, interval > timeout {
            let (interval, timeout) = (DurationText.format(interval), DurationText.format(timeout))
            (fields["interval"] ?? fields["timeout"] ?? node).fail(
                "the interval \(interval) is longer than the timeout \(timeout), so there would be no second try; "
                    + "make the interval shorter or the timeout longer")
        }
        guard let command, let timeout, let interval else { return nil }
        return ExecDriverConfig.Verify(command: command, timeoutSeconds: timeout, intervalSeconds: interval)
    }
}
