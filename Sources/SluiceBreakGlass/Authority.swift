internal import Crypto
public import Foundation
public import SluiceManifests

/// Checks that the operator holds the break-glass credential named in the config.
///
/// Accepted: a key file whose SHA-256 is `keyFileSHA256` and which neither group nor others can read, or the
/// environment variable `SLUICE_BREAK_GLASS_TOKEN` whose SHA-256 is `tokenSHA256`.
public enum BreakGlassAuthority {
    /// The name of the token variable.
    public static let tokenVariable = "SLUICE_BREAK_GLASS_TOKEN"

    /// Returns how the operator proved authority (`key file PATH` or `token`), or throws a refusal saying what is missing.
    public static func check(
        config: BreakGlassConfig, keyFile: String?, environment: [String: String]
    ) throws(BreakGlassRefusal) -> String {
        if let keyFile {
            guard let hash = config.keyFileSHA256 else {
                throw .noCredential(
                    "the break-glass config accepts no key file (spec.credential.keyFileSHA256 is not set)")
            }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: keyFile),
                let mode = attributes[.posixPermissions] as? Int,
                let data = FileManager.default.contents(atPath: keyFile)
            else { throw .noCredential("cannot read the key file \(keyFile)") }
            if mode & 0o077 != 0 {
                throw .keyFileExposed(
                    "the key file \(keyFile) has mode \(String(mode & 0o777, radix: 8)) and can be read by group or others; `chmod 600 \(keyFile)` and rotate the key"
                )
            }
            guard sha256Hex(data) == hash else {
                throw .noCredential("the key file \(keyFile) does not match spec.credential.keyFileSHA256")
            }
            return "key file \(keyFile)"
        }
        if let token = environment[tokenVariable], !token.isEmpty {
            guard let hash = config.tokenSHA256 else {
                throw .noCredential("the break-glass config accepts no token (spec.credential.tokenSHA256 is not set)")
            }
            guard sha256Hex(Data(token.utf8)) == hash else {
                throw .noCredential("\(tokenVariable) does not match spec.credential.tokenSHA256")
            }
            return "token"
        }
        throw .noCredential("no break-glass credential: give --key-file FILE or set \(tokenVariable)")
    }

    /// SHA-256 of `data`, lowercase hex.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Why break-glass refused to run.
public enum BreakGlassRefusal: Error, Equatable, CustomStringConvertible {
    case noCredential(String)
    case keyFileExposed(String)

    public var description: String {
        switch self {
        case .noCredential(let message), .keyFileExposed(let message): message
        }
    }
}

/// The channels a `BreakGlass` config describes.
public enum BreakGlassChannels {
    /// The exec per-node channel and the etcd kill switch, as configured.
    public static func from(config: BreakGlassConfig, environment: [String: String] = [:]) -> [any BreakGlassChannel] {
        var channels: [any BreakGlassChannel] = []
        if let command = config.nodeCommand {
            channels.append(
                ExecNodeChannel(command: command, timeoutSeconds: config.timeoutSeconds, environment: environment))
        }
        if let endpoint = config.killSwitchEndpoint.flatMap(URL.init(string:)) {
            channels.append(
                EtcdKillSwitchChannel(
                    endpoint: endpoint, prefix: config.killSwitchPrefix, timeoutSeconds: config.timeoutSeconds))
        }
        return channels
    }
}
